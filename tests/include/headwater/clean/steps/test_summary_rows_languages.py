"""Summary rows labelled in other languages and scripts (breaker7 #6): ``المجموع``, ``جمع کل``, ``कुल``, ``Total general``, a
full-width ``Ｔｏｔａｌ``... are summary rows as ``Total`` is (they were curated as records); a row with such a label whose
numbers are not the column sums stays a record, and a word that only starts like a label (``योगा``, ``جمعية``) is none.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from headwater.clean.stage import clean as clean_file
from headwater.clean.steps.summary_rows import _LABEL_CANDIDATE, _LABEL_DROP, FORMAT_CHARACTERS, _labels, is_total_label, label_text
from headwater.config.settings import Settings
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json, read_jsonl
from test_summary_rows import _clean

# breaker7 #6 named جمع and योग alone too: breaker8 #1 found them (and Summa, Razem, Toplam, Celkem, Jumlah, รวม) as names and
# ordinary words of real records, so they are ORDINARY_WORDS below
BREAKER7 = ["المجموع", "المجموع الكلي", "الإجمالي", "جمع کل", "कुल", "Total general", "Suma total", "Ｔｏｔａｌ"]
OTHER_LANGUAGES = ["Total geral", "Total général", "Totale complessivo", "Gesamtergebnis", "Zwischensumme", "Eindtotaal",
                   "Totalsumma", "Hovedtotal", "I alt", "Yhteensä", "Suma końcowa", "Összesen",
                   "Genel Toplam", "Всего", "Общий итог", "Усього", "Σύνολο", "סה\"כ", "סך הכל", "कुल योग",
                   "Tổng cộng", "ยอดรวม", "总计", "總計", "総計", "小計", "합계", "총합계", "소계", "Sous-total", "إجمالي", "جمع كل"]
VARIANTS = ["المجموع:", "المجموع :", "TOTAL GENERAL", "total General:", "ＴＯＴＡＬ：", "Ｔｏｔａｌ (EUR)", "المجـموع", "المجــموع الكلي",
            "المَجْمُوع", "\u200fالمجموع", "الاجمالي", "الإجمالى", "جمع كل:", "\u200eकुल:",
            "GENEL TOPLAM", "합계:", "  جمع کل  "]
NOT_LABELS = ["جمعية", "المجموعة", "कुलदीप", "कुली", "योगा", "Toplama", "Razem z Tobą", "Totalitarian", "Italia", "I", "Genel",
              "Summer", "الإجمالي المبيعات", "Total Gym XLS", "合并", "합계표"]
# Total words of a ledger that are as often a name or an ordinary word alone in a cell (breaker8 #1: Summa an Italian
# surname, Toplam a brand, Razem a band, جمع a name, योग yoga, รวม a menu item): never a label by themselves
ORDINARY_WORDS = ["Summa", "SUMMA.", "Ｓｕｍｍａ", "Toplam", "TOPLAM:", "Razem", "RAZEM", "Celkem", "Jumlah", "jumlah", "جمع", "योग",
                  "รวม"]


def _reason(line: int, label: str, named: str, rows: int = 2) -> str:
    return (f"line {line}: summary row {label.strip()!r}: {named} equal the column sums over the {rows} rows above it — kept in "
            "quarantine, not curated as a record")


@pytest.mark.parametrize("label", BREAKER7 + OTHER_LANGUAGES + VARIANTS)
def test_a_label_of_another_language_is_a_summary_row(label: str) -> None:
    curated, quarantined = _clean(["item", "amount"], [["pen", "100"], ["book", "200"], [label, "300"]])
    assert curated == [["pen", 100], ["book", 200]]
    # the reason quotes the label as the text steps left it (a bidi mark is taken out before, its text kept in __raw)
    assert quarantined == [(4, _reason(4, label.strip().strip("\u200e\u200f"), "amount=300"))]


@pytest.mark.parametrize("label", BREAKER7 + OTHER_LANGUAGES + VARIANTS)
def test_the_same_label_over_numbers_that_are_not_the_sums_stays_a_record(label: str) -> None:
    curated, quarantined = _clean(["item", "amount"], [["pen", "100"], ["book", "200"], [label, "301"]])
    assert curated == [["pen", 100], ["book", 200], [label.strip().strip("\u200e\u200f"), 301]] and quarantined == []


@pytest.mark.parametrize("word", NOT_LABELS + ORDINARY_WORDS)
def test_a_word_that_only_starts_like_a_label_is_no_label(word: str) -> None:
    curated, quarantined = _clean(["item", "amount"], [["pen", "100"], ["book", "200"], [word, "300"]])
    assert curated == [["pen", 100], ["book", 200], [word, 300]] and quarantined == []


def test_the_prefilter_lets_every_label_through() -> None:
    """``_LABEL_CANDIDATE`` (RE2, on the text as written) finds every label ``is_total_label`` accepts: as written, in
    upper and lower case, after spaces, with a colon, with ``grand``/``sub`` before."""
    forms = []
    for label in BREAKER7 + OTHER_LANGUAGES + VARIANTS:
        forms += [label, label.upper(), label.lower(), " " + label, label + ":", "\t" + label + " (EUR)", "Sub-" + label, "grand " + label]
    labels = [f for f in forms if is_total_label(f)]
    assert len(labels) > 3 * len(BREAKER7 + OTHER_LANGUAGES + VARIANTS)
    found = pc.match_substring_regex(pa.array(labels, pa.large_string()), _LABEL_CANDIDATE).to_pylist()
    assert [f for f, hit in zip(labels, found) if not hit] == []
    assert _labels(pd.Series(labels, dtype="string")).all()


def test_label_text() -> None:
    assert label_text("Ｔｏｔａｌ：") == "Total:"
    assert label_text("المجـموع") == "المجموع"  # tatweel
    assert label_text("المَجْمُوع") == "المجموع"  # harakat
    assert label_text("\u200fالمجموع\u200e") == "المجموع"  # bidi marks
    assert label_text("कुल") == "कुल"  # a Devanagari vowel sign is kept
    assert [is_total_label(v) for v in ("Ｔｏｔａｌ", "योग", "योगा", "कुल", "कुली", "totaℓ", "कुल योग")] == [True, False, False, True, False, True, True]


def test_arabic_indic_amounts_under_an_arabic_label() -> None:
    """The amounts in Arabic-Indic digits (kept as text: no config declares them) are summed; the label is Arabic."""
    curated, quarantined = _clean(["item", "amount"], [["قلم", "١٠٠"], ["دفتر", "٢٠٠"], ["المجموع", "٣٠٠"]])
    assert curated == [["قلم", "١٠٠"], ["دفتر", "٢٠٠"]]
    assert quarantined == [(4, _reason(4, "المجموع", "amount=٣٠٠"))]
    curated, quarantined = _clean(["item", "amount"], [["قلم", "١٠٠"], ["دفتر", "٢٠٠"], ["المجموع", "٣٠١"]])
    assert curated == [["قلم", "١٠٠"], ["دفتر", "٢٠٠"], ["المجموع", "٣٠١"]] and quarantined == []


@pytest.mark.parametrize(("sub", "grand"), [("المجموع", "جمع کل"), ("المجموع", "المجموع الكلي"), ("소계", "총합계"), ("Subtotal", "Grand total")])
def test_subtotals_and_a_grand_total(sub: str, grand: str) -> None:
    """Subtotals then a grand total, as in English (the last pair): the same rows, the same reasons."""
    curated, quarantined = _clean(
        ["item", "qty", "amount"],
        [["a", "1", "10.50"], ["b", "2", "20.25"], [sub, "3", "30.75"], ["c", "4", "5.00"], ["d", "1", "1.00"], [sub, "5", "6.00"],
         [grand, "8", "36.75"]],
    )
    assert curated == [["a", 1, 10.5], ["b", 2, 20.25], ["c", 4, 5.0], ["d", 1, 1.0]]
    assert quarantined == [
        (4, _reason(4, sub, "qty=3, amount=30.75")),
        (7, f"line 7: summary row {sub!r}: qty=5, amount=6.0 equal the column sums over the 2 rows since the previous summary "
            "row — kept in quarantine, not curated as a record"),
        (8, _reason(8, grand, "qty=8, amount=36.75", 4)),
    ]


def _run(tmp_path: Path, name: str, text: str) -> tuple[dict, list[dict], dict]:
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri())
    ref = FileRef("2026-11-20", name)
    ingest_file(text.encode(), ref, settings)
    clean_file(ref, settings)
    lay = Layout(settings.data_dir, ref.date)
    curated = pq.read_table(lay.curated(ref.key)).select(["_line", "item", "amount"]).to_pydict()
    return curated, read_jsonl(lay.quarantine_rows(ref.key)), read_json(lay.manifest(ref.key))


@pytest.mark.parametrize(("name", "text", "label", "amounts", "total"), [
    ("a_ar_total_word.csv", "item,amount\nقلم,100\nدفتر,200\nالمجموع,300\n", "المجموع", [100, 200], "300"),
    ("k_persian.csv", "item,amount\nقلم,۱۰۰\nدفتر,۲۰۰\nجمع کل,۳۰۰\n", "جمع کل", ["۱۰۰", "۲۰۰"], "۳۰۰"),
    ("l_devanagari.csv", "item,amount\nकलम,१००\nकिताब,२००\nकुल,३००\n", "कुल", ["१००", "२००"], "३००"),
    ("f_fullwidth_total.csv", "item,amount\npen,１００\nbook,２００\nＴｏｔａｌ,３００\n", "Ｔｏｔａｌ", ["１００", "２００"], "３００"),
    ("p_tg.csv", "item,amount\npen,100\nbook,200\nTotal general,300\n", "Total general", [100, 200], "300"),
])
def test_breaker7_files_end_to_end(tmp_path: Path, name: str, text: str, label: str, amounts: list, total: str) -> None:
    """breaker7's in/sumrow files (were: curated 3, quarantined 0)."""
    curated, quarantined, manifest = _run(tmp_path, name, text)
    assert curated["_line"] == [2, 3] and curated["amount"] == amounts
    [row] = quarantined
    assert row["line"] == 4 and row["raw"] == {"item": label, "amount": total}
    assert row["reason"] == f"{name} " + _reason(4, label, f"amount={total}")
    assert (manifest["records"], manifest["rows_read"], manifest["curated"], manifest["quarantined"]) == (4, 3, 2, 1)


def test_format_characters_are_every_cf_code_point_of_the_running_unicode_database() -> None:
    """``label_text`` drops category Cf by a fixed table (one ``str.translate``): the table is the running database's Cf."""
    assert set(FORMAT_CHARACTERS) == {c for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"}
    assert len(FORMAT_CHARACTERS) == len(set(FORMAT_CHARACTERS)) == 163


def test_label_text_equals_the_per_character_category_filter() -> None:
    def per_character(value: str) -> str:  # the code before the table, as sum9 wrote it
        text = unicodedata.normalize("NFKC", value)
        if text.isascii():
            return text
        arabic = dict(_LABEL_DROP)
        for c in range(0x110000):
            if unicodedata.category(chr(c)) == "Cf":
                arabic.pop(c, None)
        return "".join(ch for ch in text.translate(arabic) if unicodedata.category(ch) != "Cf")

    values = ["Total", "المجـموع\u200f", "\ufeffＴｏｔａｌ：", "जमा\u200d", "Sum\u00ad", "كل\u061c", "café — total", "\U000e0041x"]
    assert [label_text(v) for v in values] == [per_character(v) for v in values]


@pytest.mark.parametrize(
    ("columns", "rows"),
    [  # breaker8 #1: the third row's amount equals the two above it, and its name is a ledger's total word elsewhere
        (["first", "last", "amount"], [["Anna", "Rossi", "10"], ["Marco", "Bianchi", "20"], ["Lucia", "Summa", "30"]]),
        (["name", "amount"], [["Pilates", "10"], ["Barre", "20"], ["योग", "30"]]),
        (["customer", "amount"], [["علي", "100"], ["سارة", "200"], ["جمع", "300"]]),
        (["date", "payee", "amount"], [["2024-01-01", "Ann", "10"], ["2024-01-02", "Ben", "20"], ["2024-01-03", "Summa", "30"]]),
        (["band", "fee"], [["Kult", "10"], ["Lady Pank", "20"], ["Razem", "30"]]),
        (["brand", "qty"], [["Arçelik", "1"], ["Vestel", "2"], ["Toplam", "3"]]),
        (["item", "amount"], [["ข้าว", "40"], ["ชา", "60"], ["รวม", "100"]]),
    ],
)
def test_a_record_named_by_an_ordinary_total_word_stays_a_record(columns: list[str], rows: list[list[str]]) -> None:
    curated, quarantined = _clean(columns, rows)
    assert quarantined == [] and len(curated) == 3 and curated[2][-2] == rows[2][-2]
