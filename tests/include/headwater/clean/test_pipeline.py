import pandas as pd

from headwater.clean.frame import build_frame
from headwater.clean.pipeline import default_steps, run_steps
from headwater.clean.steps.base import LINE, REASON, ROW_ID


def _frame(header, rows):
    return build_frame(header, rows, list(range(2, 2 + len(rows))), "2026-11-20/x.csv")


def test_build_frame_standardizes_columns_and_records_the_mapping() -> None:
    df, mapping = _frame([" Full Name ", "emailAddress"], [["Ann", "a@x"]])
    assert list(df.columns) == ["_source", LINE, "full_name", "email_address"]
    assert {m.original: m.output for m in mapping.matches} == {" Full Name ": "full_name", "emailAddress": "email_address"}


def test_pipeline_accounts_for_every_row() -> None:
    rows = [
        ["Ann", "<b>hello</b>  world"],
        ["Ann", "hello world"],  # the same text once normalized, but not as written: not an exact duplicate
        ["N/A", "-"],  # '-' in a text column is kept (ambiguous spelling), so the row is not empty
        ["Bob", "null"],
        ["Bob", None],  # differs from the row above only in how "missing" was written: kept apart, and counted (None: an empty
        # unquoted field, as staging holds it; a quoted "" is an empty string)
        [None, "  "],  # all NA (spaces are the blank spelling, kept in note__raw) -> quarantined
    ]
    df, _ = _frame(["name", "note"], rows)
    result = run_steps(df, default_steps())
    assert result.curated["name"].tolist()[:2] + result.curated["name"].tolist()[3:] == ["Ann", "Ann", "Bob", "Bob"]
    assert pd.isna(result.curated["name"].tolist()[2])
    assert result.curated["note"].tolist()[:3] == ["hello world", "hello world", "-"]
    assert result.curated["note__raw"].tolist()[0] == "<b>hello</b>  world"
    assert pd.isna(result.curated["note"].tolist()[3]) and pd.isna(result.curated["note"].tolist()[4])
    assert result.curated["note__raw"].tolist()[3] == "null" and pd.isna(result.curated["note__raw"].tolist()[4])
    assert len(result.duplicates) == 0
    assert result.steps["exact_duplicates"]["kept_apart_by_na_spelling"] == 1
    assert result.quarantined[LINE].tolist() == [7]
    assert result.quarantined["note__raw"].tolist() == ["  "]  # the quarantined row keeps what it wrote
    assert result.quarantined[REASON].tolist() == ["line 7: every value is empty — row quarantined"]
    assert len(result.curated) + len(result.duplicates) + len(result.quarantined) == len(rows)


def test_row_ids_are_deterministic_and_content_based() -> None:
    a = run_steps(_frame(["n"], [["x"], ["y"]])[0], default_steps()).curated[ROW_ID].tolist()
    b = run_steps(_frame(["n"], [["y"], ["x"]])[0], default_steps()).curated[ROW_ID].tolist()
    assert a == list(reversed(b)) and len(set(a)) == 2


def test_row_ids_equal_stable_id_of_the_values_whatever_their_type() -> None:
    from headwater.clean.frame import assign_row_ids
    from headwater.clean.steps.base import SOURCE, data_columns
    from headwater.ids import stable_id

    df = pd.DataFrame(
        {
            SOURCE: ["s/x.csv"] * 3,
            LINE: [2, 3, 4],
            "name": pd.Series(["Zoë", None, ""], dtype="string"),
            "value": pd.array([1.5, None, 10], dtype="Float64"),
            "active": pd.array([True, None, False], dtype="boolean"),
            "seen": pd.to_datetime(["2024-03-01", None, "2024-01-01 10:00"], format="mixed"),
        }
    )
    expected = [stable_id(src, *("" if pd.isna(v) else v for v in vals)) for src, vals in zip(df[SOURCE], df[data_columns(df)].itertuples(index=False, name=None))]
    assert assign_row_ids(df)[ROW_ID].tolist() == expected
