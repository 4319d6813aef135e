import pyarrow as pa
import pytest

from headwater.clean.text import is_na, normalize_array, normalize_text, repair_unicode, strip_html
from headwater.config.text import TextOptions


def test_html_is_stripped_and_link_targets_kept() -> None:
    html = '<p>Prefers <b>email</b>. Docs: <a href="https://example.com/ada">profile</a></p>'
    assert normalize_text(html) == "Prefers email. Docs: profile (https://example.com/ada)"


def test_entities_and_script_are_handled() -> None:
    assert strip_html("Tom &amp; Jerry<script>alert(1)</script>") == "Tom & Jerry"


def test_simple_markup_takes_the_regex_path_with_the_parsers_result() -> None:
    assert strip_html("<p>a</p><br/>b &amp;lt; <B>c</B>") == "\na\n\n\nb < c"


def test_plain_text_with_angle_brackets_is_untouched() -> None:
    assert strip_html("price < 5 and > 2") == "price < 5 and > 2"


def test_mojibake_is_repaired_and_whitespace_tidied() -> None:
    assert normalize_text("  caf\u00c3\u00a9   owner \r\n\r\n\r\n next ") == "café owner\nnext"


def test_repair_unicode_skips_only_what_ftfy_leaves_alone() -> None:
    assert repair_unicode("Zürich") == "Zürich"
    assert repair_unicode("naÃ¯ve") == "naïve"
    assert repair_unicode("ﬁne “quotes”") == 'fine "quotes"'
    assert repair_unicode("AT&amp;T") == "AT&T"  # ftfy unescapes entities when the line has no tag
    assert repair_unicode("<b>AT&amp;T</b>") == "<b>AT&amp;T</b>"


def test_emails_and_phones_in_prose_are_masked_by_default_urls_kept() -> None:
    text = "Mail ada@example.com or call +1 (415) 555-0132, see https://example.com/x."
    assert normalize_text(text) == "Mail [EMAIL] or call [PHONE], see https://example.com/x."


def test_pii_can_be_removed_or_kept() -> None:
    opts = TextOptions(urls="mask", emails="remove", phones="keep")
    assert normalize_text("a ada@example.com b 415-555-0132 www.example.org/p", opts) == "a b 415-555-0132 [URL]"


def test_a_value_that_is_only_an_address_is_a_field_and_stays() -> None:
    assert normalize_text(" ada@example.com ") == "ada@example.com"
    assert normalize_text("415-555-0132") == "415-555-0132"
    assert normalize_text("ada@example.com", TextOptions(mask_field_values=True)) == "[EMAIL]"


def test_dates_prices_and_ids_are_not_phones() -> None:
    text = "order 5520 on 2024-03-01 for 1,204.50 ref 20240301 ip 10.0.0.1"
    assert normalize_text(text) == text


def test_html_links_follow_the_url_action() -> None:
    html = '<a href="https://example.com/ada">profile</a>'
    assert normalize_text(html, TextOptions(urls="mask")) == "profile ([URL])"
    assert normalize_text(html, TextOptions(urls="remove")) == "profile"


def test_column_version_equals_the_value_version() -> None:
    values = [
        None, "", "  ", "plain", "caf\u00c3\u00a9", "Zürich", "<p>a</p>\r\n\r\nb", "x &amp; y", "a\u00a0\u2003b\t\tc",
        "call 555-123-4567,555-123-4568 now", "mail ADA@EXAMPLE.ORG.", "https://x.org/a_(b)", "\ufeffbom\x0c",
        "ﬁne", "1\u20282", "+44 20 7946 0958", "ada@example.com",
    ]
    for opts in (TextOptions(), TextOptions(urls="remove", emails="remove", phones="remove"), TextOptions(mask_field_values=True)):
        got = normalize_array(pa.array(values, pa.string()), opts).to_pylist()
        assert got == [None if v is None else normalize_text(v, opts) for v in values]


def test_options_are_validated_naming_the_key() -> None:
    with pytest.raises(ValueError, match="emails: 'hide' is not one of keep, remove, mask"):
        TextOptions(emails="hide")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="whitespace: expected true or false, got 'yes'"):
        TextOptions(whitespace="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="columns: expected a list of column names, got 'notes'"):
        TextOptions(columns="notes")  # type: ignore[arg-type]


def test_na_spellings() -> None:
    assert all(is_na(v) for v in ["", " ", "NA", "n/a", "NULL", "-", "?", "None", "nan"])
    assert not any(is_na(v) for v in ["0", "no", "N", "Nancy"])


def test_text_stats_over_batches_decide_like_the_whole_column() -> None:
    import pandas as pd

    from headwater.clean.text import TextStats, looks_like_free_text
    from headwater.config.text import TextColumnRule

    rule = TextColumnRule(min_mean_chars=10, min_mean_words=2.25)
    # means exactly on the thresholds (40 chars, 9 words in 4 values), missing values skipped, numbers as their str
    col = pd.Series(["abcd efghi", None, "abcdefghij klmnopqrst", "", "x y z w v"], dtype="str")
    assert looks_like_free_text(col, rule) is True
    assert looks_like_free_text(col, TextColumnRule(min_mean_chars=10, min_mean_words=2.26)) is False
    for size in (1, 2, 3, 5):
        stats = TextStats()
        for start in range(0, len(col), size):
            stats.add(col.iloc[start : start + size])
        assert (stats.values, stats.chars, stats.words) == (4, 40, 9)
        assert stats.free_text(rule) is True
        assert stats.free_text(TextColumnRule(min_mean_chars=10, min_mean_words=2.26)) is False
        assert stats.free_text(TextColumnRule(min_mean_chars=10.01, min_mean_words=2.25)) is False
    assert TextStats().add(pd.Series([None, None], dtype="str")).free_text(rule) is False
    numbers = pd.Series([12345, 678], dtype="Int64")
    assert (TextStats().add(numbers).chars, looks_like_free_text(numbers)) == (8, False)
