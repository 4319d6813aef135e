from headwater.text import is_na, normalize_text, strip_html


def test_html_is_stripped_and_link_targets_kept() -> None:
    html = '<p>Prefers <b>email</b>. Docs: <a href="https://example.com/ada">profile</a></p>'
    assert normalize_text(html) == "Prefers email. Docs: profile (https://example.com/ada)"


def test_entities_and_script_are_handled() -> None:
    assert strip_html("Tom &amp; Jerry<script>alert(1)</script>") == "Tom & Jerry"


def test_plain_text_with_angle_brackets_is_untouched() -> None:
    assert strip_html("price < 5 and > 2") == "price < 5 and > 2"


def test_mojibake_is_repaired_and_whitespace_tidied() -> None:
    assert normalize_text("  caf\u00c3\u00a9   owner \r\n\r\n\r\n next ") == "café owner\nnext"


def test_na_spellings() -> None:
    assert all(is_na(v) for v in ["", " ", "NA", "n/a", "NULL", "-", "?", "None", "nan"])
    assert not any(is_na(v) for v in ["0", "no", "N", "Nancy"])
