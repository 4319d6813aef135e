import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from headwater.clean.dedup.exact import ExactDuplicates
from headwater.clean.dedup.fuzzy import NearDuplicateText, RecordLinkage
from headwater.clean.frame import assign_row_ids, build_frame
from headwater.clean.steps.base import AGREED, CLUSTER_ID, DEDUP_JOB, DUPLICATE_OF, EVIDENCE, LINE, MATCH_WEIGHT, ROW_ID, SIMILARITY
from headwater.clean.dedup.minhash import estimate_similarity, minhash_signatures, shingle_hashes
from headwater.config.dedup import DedupOptions, LinkageOptions, TextDedupOptions
from headwater.clean.pipeline import build_steps, run_steps
from headwater.clean.runner import passes
from headwater.config.source import SourceConfig

NOTE = "Our trail running shoe is built for long days on rocky ground with sticky rubber lugs that grip wet granite."


def _frame(header: list[str], rows: list[list[str]], source: str = "2026-11-20/x.csv") -> pd.DataFrame:
    df, _ = build_frame(header, rows, list(range(2, 2 + len(rows))), source)
    return assign_row_ids(df)


def _steps(options: DedupOptions | None = None, declared: dict | None = None) -> list:
    return [ExactDuplicates(options), NearDuplicateText(options, declared), RecordLinkage(options, declared)]


def _run(steps: list, df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    dups = []
    for step in steps:
        out = step.apply(df)
        df = out.kept
        dups.append(out.duplicates)
    return df, pd.concat([d for d in dups if len(d)], ignore_index=True) if any(len(d) for d in dups) else pd.DataFrame()


def test_shingles_cover_each_text_and_short_texts_are_one_shingle() -> None:
    _, doc = shingle_hashes(pa.array(["abcdef", "ab", "", None], pa.string()), 5, seed=1)
    assert np.bincount(doc, minlength=4).tolist() == [2, 1, 0, 0]


def test_equal_texts_share_a_signature_and_estimates_follow_jaccard() -> None:
    a = "the quick brown fox jumps over the lazy dog near the river bank"
    texts = pa.array([a, a, a.replace("lazy", "sleepy"), "completely unrelated words about invoices", ""], pa.string())
    sig = minhash_signatures(texts, num_perm=128, k=5, seed=1)
    sig8 = (sig & 0xFF).astype(np.uint8)
    same, edited, other = estimate_similarity(sig8[[0, 0, 0]], sig8[[1, 2, 3]])
    assert same == 1.0
    assert 0.6 < edited < 0.95 and other < 0.1
    assert (sig[4] == 0xFFFFFFFF).all()  # no text, no signature
    assert (minhash_signatures(texts, 128, 5, seed=1) == sig).all()  # deterministic


def _clean(header: list[str], rows: list[list[str]], config: dict | None = None):
    """The whole cleaning pipeline of a source config over one table (run_steps: the table is one batch)."""
    return run_steps(_frame(header, rows), build_steps(SourceConfig.from_mapping(config or {})))


def _dups(result) -> list[tuple[int, str]]:
    d = result.duplicates
    return list(zip(d[LINE].tolist(), d[DEDUP_JOB].tolist())) if len(d) else []


INCIDENT = "Officer applied a wrist lock while the subject resisted arrest outside the station entrance at night."


def test_near_text_copy_with_whitespace_is_merged_and_says_why() -> None:
    result = _clean(["note", "reviewer"], [[NOTE, "r1"], ["  " + NOTE.replace("granite", "granit"), "r1"], ["completely different words about invoices and billing cycles", "r1"]])
    assert _dups(result) == [(3, "near_text")]
    row = result.duplicates.iloc[0]
    assert row[DUPLICATE_OF] == row[CLUSTER_ID] == result.curated[ROW_ID][0]
    assert row[EVIDENCE] == f"note: Jaccard estimate {row[SIMILARITY]:.2f} >= 0.8" and row[AGREED] == "reviewer"
    assert 0.8 <= row[SIMILARITY] < 1.0 and pd.isna(row[MATCH_WEIGHT])


@pytest.mark.parametrize(
    ("column", "a", "b"),
    [
        ("sex", "Male", "Female"),  # a category
        ("incident_date", "2021-03-04", "2021-03-05"),  # the day
        ("restraint", "Conscious", "Unconscious"),  # a category that is one prefix away
        ("transaction_id", "TX-88121", "TX-88122"),  # an event key (named *_id)
        ("reason_code", "A1", "A2"),  # a code column
        ("amount", "12.50", "12.51"),  # a number beyond the (zero) tolerance
    ],
)
def test_same_text_but_a_difference_where_it_matters_is_never_merged(column: str, a: str, b: str) -> None:
    result = _clean(["rownames", column, "narrative"], [["1", a, INCIDENT], ["2", b, INCIDENT]])
    assert _dups(result) == [] and len(result.curated) == 2


def test_the_same_difference_merges_when_the_config_says_it_may_differ() -> None:
    rows = [["1", "TX-88121", INCIDENT], ["2", "TX-88122", INCIDENT]]
    assert _dups(_clean(["rownames", "transaction_id", "narrative"], rows, {"dedup": {"may_differ": ["transaction_id"]}})) == [(3, "near_text")]


def test_a_row_counter_is_never_evidence_either_way() -> None:
    # rownames 20591 vs 20594 differs, yet the rows are the same report: the counter does not veto;
    # and two different reports are not made equal by anything the counter says
    rows = [["20591", "Male", INCIDENT], ["20594", "Male", INCIDENT], ["20595", "Male", "A dog was reported loose in the park near the fountain by a jogger at dawn."]]
    assert _dups(_clean(["rownames", "sex", "narrative"], rows)) == [(3, "near_text")]
    assert _dups(_clean(["unnamed_0", "sex", "narrative"], rows)) == [(3, "near_text")]
    assert _dups(_clean(["seq", "sex", "narrative"], rows)) == [(3, "near_text")]  # rising dense integers


def test_short_records_are_not_merged_by_default() -> None:
    # two schools with the same score; two card purchases with the same amount and merchant
    schools = _clean(["rownames", "dba", "score", "grade"], [["20591", "PS 101 School", "12", "A"], ["20594", "PS 110 School", "12", "A"]])
    cards = _clean(["transaction_id", "merchant", "amount"], [["T-1", "Coffee Bar", "4.50"], ["T-2", "Coffee Bar", "4.50"]])
    assert _dups(schools) == [] and _dups(cards) == []


def test_record_linkage_merges_one_person_under_two_spellings_with_per_field_evidence() -> None:
    config = {"dedup": {"may_differ": ["customer_id"], "linkage": {"fields": ["full_name", "email", "signup_date"], "threshold": 0.9}}}
    header = ["customer_id", "full_name", "email", "signup_date"]
    rows = [
        ["C-1003", "John Smith", "john.smith@example.net", "2024-03-01"],
        ["C-1004", "Jon Smith", "john.smith@example.net", "2024-03-01"],
        ["C-1005", "Joan Smythe", "joan@example.org", "2023-01-09"],
        ["C-1006", "Ada Lovelace", "ada@example.com", "2024-01-15"],
        ["C-1007", "Grace Hopper", "grace@example.org", "2024-02-15"],
    ]
    result = _clean(header, rows, config)
    assert _dups(result) == [(3, "linkage")]
    row = result.duplicates.iloc[0]
    assert row[DUPLICATE_OF] == result.curated[ROW_ID][0]
    assert row[AGREED] == "full_name, email, signup_date"
    assert [part.rsplit(" ", 1)[0] for part in row[EVIDENCE].split("; ")] == [
        "full_name jaro_winkler>=0.92", "email exact", "signup_date exact",
    ]
    assert row[SIMILARITY] >= 0.9 and row[MATCH_WEIGHT] > 3.0
    # without may_differ the distinct customer_id (a key) vetoes the merge
    del config["dedup"]["may_differ"]
    assert _dups(_clean(header, rows, config)) == []


def test_record_linkage_veto_on_a_category_outside_the_fields() -> None:
    config = {"dedup": {"linkage": {"fields": ["name", "birth_date"], "threshold": 0.5}}}
    rows = [["Sam Taylor", "1990-01-02", "Male"], ["Sam Tailor", "1990-01-02", "Female"], ["Sam Taylor", "1990-01-02", "Male "]]
    assert _dups(_clean(["name", "birth_date", "sex"], rows, config)) == [(4, "exact")]
    rows[2][0] = "Sam Tayler"
    assert _dups(_clean(["name", "birth_date", "sex"], rows, config)) == [(4, "linkage")]


def test_fields_named_id_or_code_are_compared_not_dropped() -> None:
    config = {"dedup": {"linkage": {"fields": ["name", "member_code"], "threshold": 0.5}}}
    rows = [["Sam Taylor", "M-1001"], ["Sam Taylor ", "M-1001"], ["Sam Tailor", "M-1001"], ["Sam Taylor", "Z-9999"]]
    result = _clean(["name", "member_code"], rows, config)
    assert _dups(result) == [(3, "exact"), (4, "linkage")]
    assert result.duplicates[EVIDENCE].iloc[1].split("; ")[1].startswith("member_code exact")


def _batched(header: list[str], rows: list[list[str]], size: int, config: dict) -> list[tuple[int, str, str]]:
    """The duplicates (line, job, partner line) of one table run in batches of ``size`` through the clean runner's two passes."""
    steps = build_steps(SourceConfig.from_mapping(config))
    df = _frame(header, rows)
    found = []
    for part in passes(steps):
        fit_step = part[0] if getattr(part[0], "needs_fit", False) else None
        if fit_step is not None:
            fit_step.fit({c: df[c] for c in df.columns})
        kept = []
        for lo in range(0, len(df), size):
            result = run_steps(df.iloc[lo : lo + size].reset_index(drop=True), part)
            kept.append(result.curated)
            if len(result.duplicates):
                by_id = dict(zip(df[ROW_ID], df[LINE]))
                found += [(int(n), j, by_id[p]) for n, j, p in zip(result.duplicates[LINE], result.duplicates[DEDUP_JOB], result.duplicates[DUPLICATE_OF])]
        df = pd.concat(kept, ignore_index=True)
        df = df.drop(columns=[c for c in df.columns if c.endswith("__imputed")])
    return sorted(found)


def test_duplicates_do_not_depend_on_the_batch_size() -> None:
    rng = np.random.default_rng(7)
    words = [f"word{i}" for i in range(40)]
    base = [" ".join(rng.choice(words, 14)) for _ in range(6)]
    rows = []
    for i in range(30):
        # a near copy: a word of 6 letters added (a shorter one, in a text of no listed language, may be a negator: breaker5 #9)
        text = base[i % 6] if i % 4 else base[i % 6] + " extras"
        rows.append([str(i + 1), ["red", "blue"][i % 2 if i < 20 else 0], text, "12.5" if i != 13 else "twelve"])
    config = {"schema": {"columns": {"rownames": "integer", "colour": "string", "note": "text", "size": "number"}}}
    one = _batched(["rownames", "colour", "note", "size"], rows, 30, config)
    assert one == _batched(["rownames", "colour", "note", "size"], rows, 2, config) == _batched(["rownames", "colour", "note", "size"], rows, 7, config)
    assert len(one) == 20 and {job for _, job, _ in one} == {"near_text"}
    assert all(line != 15 for line, _, _ in one)  # size "twelve" (kept in size__raw) differs from 12.5: vetoed


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": {"threshold": 0}}, "text.threshold: 0 must be in \\(0, 1\\]"),
        ({"text": {"threshold": 1.5}}, "text.threshold: 1.5 must be in \\(0, 1\\]"),
        ({"text": {"bands": 7}}, "text.bands: 7 must divide num_perm=128"),
        ({"scope": "galaxy"}, "scope: 'galaxy' is not one of file, run, history"),
        ({"text": {"shingle_size": 9}}, "text.shingle_size: 9 must be in \\[1, 8\\]"),
        ({"text": {"columns": "notes"}}, "text.columns: expected a list of column names"),
        ({"linkage": {"threshold": 1}}, "linkage.threshold: 1 must be in \\(0, 1\\)"),
        ({"may_differ": "id"}, "may_differ: expected a list of column names"),
    ],
)
def test_options_are_validated_naming_the_key(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DedupOptions(**kwargs)


def test_unknown_compare_columns_fail_naming_them() -> None:
    with pytest.raises(ValueError, match="dedup.text.columns: nope not in the data"):
        NearDuplicateText(DedupOptions(text=TextDedupOptions(columns=["nope"]))).apply(_frame(["name"], [["Ada"]]))
    with pytest.raises(ValueError, match="dedup.linkage: nope not in the data"):
        RecordLinkage(DedupOptions(linkage=LinkageOptions(fields=["nope"]))).apply(_frame(["name"], [["Ada"]]))
