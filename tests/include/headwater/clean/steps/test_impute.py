import pandas as pd
import pytest

from headwater.clean.steps.impute import Impute
from headwater.config.impute import ImputeConfigError, ImputeSpec


def _df(**cols) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    return pd.DataFrame({"_source": "d/x.csv", "_line": list(range(2, 2 + n)), **cols})


def test_simple_strategies_fill_and_flag() -> None:
    df = _df(
        a=pd.array([1.0, None, 3.0, 10.0], dtype="Float64"),
        b=pd.array([1, None, 2, 2], dtype="Int64"),
        c=pd.array(["x", "y", None, "y"], dtype="string"),
        d=pd.array([None, 1.0, 2.0, 4.0], dtype="Float64"),
        e=pd.array([None, 5, 1, 1], dtype="Int64"),
    )
    specs = {
        "a": ImputeSpec("mean"),
        "b": ImputeSpec("median"),
        "c": ImputeSpec("mode"),
        "d": ImputeSpec("constant", value=0),
        "e": ImputeSpec("none"),
    }
    out = Impute(specs).apply(df).kept
    assert out["a"].tolist() == [1.0, 14 / 3, 3.0, 10.0]
    assert out["b"].tolist() == [1, 2, 2, 2] and str(out["b"].dtype) == "Int64"
    assert out["c"].tolist() == ["x", "y", "y", "y"]
    assert out["d"].tolist() == [0.0, 1.0, 2.0, 4.0]
    assert out["e"].isna().tolist() == [True, False, False, False]
    assert out["a__imputed"].tolist() == [False, True, False, False]
    assert list(out.columns) == ["_source", "_line", "a", "a__imputed", "b", "b__imputed", "c", "c__imputed", "d", "d__imputed", "e"]


def test_cells_whose_text_failed_coercion_are_not_imputed() -> None:
    df = _df(v=pd.array([None, None, 4.0], dtype="Float64"), v__raw=pd.array([None, "n/k", None], dtype="string"))
    out = Impute({"v": ImputeSpec("median")}).apply(df).kept
    assert out["v"].tolist()[0] == 4.0 and pd.isna(out["v"].tolist()[1])
    assert out["v__imputed"].tolist() == [True, False, False]
    assert list(out.columns) == ["_source", "_line", "v", "v__raw", "v__imputed"]


def test_knn_uses_the_other_numeric_columns() -> None:
    # y follows x; the missing y sits at x=10.2, whose 2 nearest rows (x=10, 11) give (100+110)/2, not the mean 60.
    df = _df(
        x=pd.array([1.0, 2.0, 3.0, 9.0, 10.0, 11.0, 10.2], dtype="Float64"),
        y=pd.array([10.0, 20.0, 30.0, 90.0, 100.0, 110.0, None], dtype="Float64"),
    )
    out = Impute({"y": ImputeSpec("knn", n_neighbors=2)}).apply(df).kept
    assert out["y"].tolist()[-1] == pytest.approx(105.0)
    assert out["y__imputed"].tolist() == [False] * 6 + [True]


def test_missforest_fills_from_random_forests_deterministically() -> None:
    x = [float(i) for i in range(20)]
    y = [2.0 * v for v in x]
    y[5] = None
    y[15] = None
    df = _df(x=pd.array(x, dtype="Float64"), y=pd.array(y, dtype="Float64"))
    out = Impute({"y": ImputeSpec("missforest", n_estimators=20, max_iter=3)}).apply(df).kept
    got = out["y"].tolist()
    assert abs(got[5] - 10.0) < 3.0 and abs(got[15] - 30.0) < 3.0  # a median fill would give ~19
    again = Impute({"y": ImputeSpec("missforest", n_estimators=20, max_iter=3)}).apply(df).kept
    assert again["y"].tolist() == got


@pytest.mark.parametrize(
    ("col", "spec", "types", "identifiers", "message"),
    [
        ("customer_id", ImputeSpec("mode"), {}, set(), "impute.customer_id: customer_id is an identifier"),
        ("ref", ImputeSpec("mode"), {"ref": "string"}, {"ref"}, "impute.ref: ref is an identifier"),
        ("notes", ImputeSpec("constant", value="n/a"), {"notes": "text"}, set(), "impute.notes: notes is free text"),
        ("name", ImputeSpec("mean"), {}, set(), "impute.name: strategy mean needs a numeric column, name is string"),
    ],
)
def test_identifiers_free_text_and_wrong_types_are_refused(col, spec, types, identifiers, message) -> None:
    df = _df(**{col: pd.array(["a", None], dtype="string")})
    with pytest.raises(ImputeConfigError, match=message):
        Impute({col: spec}, types, identifiers).apply(df)


def test_undeclared_free_text_is_detected_and_refused() -> None:
    long = "this is a long free text value written by a person about the order"
    df = _df(comment=pd.array([long, None], dtype="string"))
    with pytest.raises(ImputeConfigError, match="comment is free text"):
        Impute({"comment": ImputeSpec("mode")}).apply(df)


def test_spec_validation() -> None:
    with pytest.raises(ValueError, match="strategy: 'magic' is not one of none, constant, mean"):
        ImputeSpec("magic")
    with pytest.raises(ValueError, match="value: strategy constant needs a value"):
        ImputeSpec("constant")


def test_the_step_declares_what_the_runner_must_do() -> None:
    """Column statistics need a fit on whole columns; KNN/MissForest need the whole table; a constant needs neither."""

    def declared(**specs: ImputeSpec) -> tuple[bool, bool]:
        step = Impute(specs)
        return step.needs_fit, step.needs_whole_table

    assert declared(a=ImputeSpec("mean"), b=ImputeSpec("constant", value=0)) == (True, False)
    assert declared(a=ImputeSpec("median")) == declared(a=ImputeSpec("mode")) == (True, False)
    assert declared(a=ImputeSpec("constant", value=0), b=ImputeSpec("none")) == (False, False)
    assert declared(a=ImputeSpec("knn"), b=ImputeSpec("mean")) == (True, True)  # the runner gives it one batch, no fit
    assert declared(a=ImputeSpec("missforest")) == (False, True)


def test_a_fit_on_whole_columns_beats_the_batch_at_hand() -> None:
    step = Impute({"a": ImputeSpec("mean"), "b": ImputeSpec("mode")})
    step.fit({"a": pd.Series([1.0, 5.0, None, 9.0], dtype="Float64")})  # b not in the columns: no fill learned
    out = step.apply(_df(a=pd.array([None, 1.0], dtype="Float64"), b=pd.array([None, "x"], dtype="string"))).kept
    assert out["a"].tolist() == [5.0, 1.0] and out["a__imputed"].tolist() == [True, False]
    assert pd.isna(out["b"].tolist()[0]) and out["b__imputed"].tolist() == [False, False]


def test_a_missing_value_written_as_an_na_spelling_or_spaces_is_imputed_and_keeps_its_text() -> None:
    # breaker2 #14/#15: NA and spaces keep their text in __raw (reason na_spelling / blank), yet the value is missing
    df = _df(
        v=pd.array([None, None, None, 4.0, None], dtype="Float64"),
        v__raw=pd.array(["NA", "  ", "n/k", None, " NA"], dtype="string"),
        v__reason=pd.array(["na_spelling", "blank", None, None, "normalized: trim; na_spelling"], dtype="string"),
    )
    out = Impute({"v": ImputeSpec("constant", value=0)}).apply(df).kept
    assert out["v"].tolist()[:2] + out["v"].tolist()[3:] == [0.0, 0.0, 4.0, 0.0] and pd.isna(out["v"].tolist()[2])
    assert out["v__imputed"].tolist() == [True, True, False, False, True]
    assert out["v__raw"].tolist()[:2] == ["NA", "  "]
