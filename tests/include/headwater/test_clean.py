import pandas as pd

from headwater.clean import DUPLICATE_OF, LINE, REASON, ROW_ID, build_frame, default_steps, run_steps


def _frame(header, rows):
    return build_frame(header, rows, list(range(2, 2 + len(rows))), "2026-11-20/x.csv")


def test_build_frame_standardizes_columns_and_records_the_mapping() -> None:
    df, mapping = _frame([" Full Name ", "emailAddress"], [["Ann", "a@x"]])
    assert list(df.columns) == ["_source", LINE, "full_name", "email_address"]
    assert {m.original: m.output for m in mapping.matches} == {" Full Name ": "full_name", "emailAddress": "email_address"}


def test_pipeline_accounts_for_every_row() -> None:
    rows = [
        ["Ann", "<b>hello</b>  world"],
        ["Ann", "hello world"],  # same after normalization -> duplicate
        ["N/A", "-"],  # all NA -> quarantined
        ["Bob", "null"],
        ["Bob", ""],  # same as the row above once NA spellings are unified -> duplicate
    ]
    df, _ = _frame(["name", "note"], rows)
    result = run_steps(df, default_steps())
    assert result.curated["name"].tolist() == ["Ann", "Bob"]
    assert result.curated["note"].tolist()[0] == "hello world"
    assert pd.isna(result.curated["note"].tolist()[1])
    assert result.duplicates[LINE].tolist() == [3, 6]
    assert result.duplicates[DUPLICATE_OF].tolist() == result.curated[ROW_ID].tolist()
    assert result.quarantined[LINE].tolist() == [4]
    assert result.quarantined[REASON].tolist() == ["line 4: every value is empty — row quarantined"]
    assert len(result.curated) + len(result.duplicates) + len(result.quarantined) == len(rows)


def test_row_ids_are_deterministic_and_content_based() -> None:
    a = run_steps(_frame(["n"], [["x"], ["y"]])[0], default_steps()).curated[ROW_ID].tolist()
    b = run_steps(_frame(["n"], [["y"], ["x"]])[0], default_steps()).curated[ROW_ID].tolist()
    assert a == list(reversed(b)) and len(set(a)) == 2
