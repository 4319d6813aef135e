"""bench/run.py's LSH phase runs the library's near-duplicate text job as the clean step does."""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import run  # noqa: E402

DOC = "the outsole of my trail shoe separated from the upper after three weeks of running on rocky paths"


def test_headwater_lsh_flags_the_later_near_copy_only() -> None:
    texts = [DOC, "please cancel my subscription renewal before it charges my card again next month", DOC + "!"]
    assert run._headwater(texts) == [2]


def test_headwater_lsh_with_verification_keeps_a_copy_whose_number_changed() -> None:
    texts = [DOC + " order 5512", "please cancel my subscription renewal before it charges my card again next month", DOC + " order 5513"]
    assert run._headwater(texts) == [2]  # the libraries' rule: similarity alone
    assert run._headwater(texts, verify=True) == []


def test_dedup_quality_config_is_the_bench_config_plus_the_re_registration_dedup(tmp_path: Path) -> None:
    import yaml

    for verify in (True, False):
        config = yaml.safe_load((run.dedup_config_dir(tmp_path, verify) / "bench_customers.yaml").read_text(encoding="utf-8"))
        assert config["schema"]["columns"]["customer_id"] == {"type": "string", "identifier": True, "nullable": False}
        assert config["dedup"] == {"may_differ": ["customer_id"], "linkage": {"fields": ["full_name", "email", "signup_date"], "verify": verify},
                                   "text": {"verify": verify}}


def test_rensa_in_datasketchs_loop_flags_the_later_near_copy_only() -> None:
    texts = [DOC, "please cancel my subscription renewal before it charges my card again next month", DOC + "!"]
    assert run._rensa(texts) == [2]


def _stage(seconds: float, peak: float) -> dict:
    return {"seconds": seconds, "peak_mb": peak}


def test_growth_notes_name_the_stages_that_grow_faster_than_their_rows() -> None:
    linear = {"naive": _stage(1, 100), "read": _stage(1, 100), "ingest": _stage(1, 100), "headwater": _stage(1, 100)}
    curve = {
        250: linear,
        1000: {"naive": _stage(4, 110), "read": _stage(4.4, 100), "ingest": _stage(4.5, 100), "headwater": _stage(6, 150)},
    }
    assert run.growth_notes(curve) == [
        "ingest + clean: time grows 6.0x for 4x the rows: worse than linear",
        "ingest + clean: peak RSS grows 1.50x from 250 to 1,000 rows (target: within 1.2x)",
    ]


def test_the_scaling_files_are_the_first_rows_of_the_bench_file(tmp_path: Path) -> None:
    csv = tmp_path / "customers_10_s42_v2.csv"
    csv.write_bytes(b"id,name\n" + b"".join(b"%d,n%d\n" % (i, i) for i in range(10)))
    head = run.head_file(csv, 4)
    assert head.name == "customers_4of10_s42_v2.csv" and head.read_bytes() == b"id,name\n0,n0\n1,n1\n2,n2\n3,n3\n"


def test_the_wide_file_has_its_columns_and_rows_and_is_reproducible(tmp_path: Path) -> None:
    import csv

    path = run.wide_csv(9, 4, tmp_path)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == [f"col_{i}" for i in range(9)] and len(rows) == 5 and {len(r) for r in rows} == {9}
    assert all(r[0].isdigit() and r[3].startswith("2026-01-") for r in rows[1:])  # integers in col 0, dates in col 3
    again = run.wide_csv(9, 4, tmp_path / "again") if (tmp_path / "again").mkdir() is None else None
    assert again.read_bytes() == path.read_bytes()


def test_the_wide_phase_ingests_and_cleans_every_row(tmp_path: Path) -> None:
    result = run.phase_wide(run.wide_csv(12, 3, tmp_path), tmp_path)
    assert (result["rows_read"], result["curated"], result["status"]) == (3, 3, "ok")
    assert result["cpu_seconds"] > 0 and result["peak_mb"] > 0
    # each step's CPU seconds, slowest first, and the 1-minute load average at the start and the end
    assert {"coerce_types", "null_spellings"} <= set(result["step_cpu_seconds"])
    assert list(result["step_cpu_seconds"].values()) == sorted(result["step_cpu_seconds"].values(), reverse=True)
    assert sum(result["step_cpu_seconds"].values()) <= result["cpu_seconds"] and len(result["load_average"]) == 2


def test_the_wide_phase_times_the_parts_around_the_steps_and_puts_them_back(tmp_path: Path) -> None:
    import headwater.clean.outputs as outputs
    import headwater.clean.pipeline as pipeline
    import headwater.clean.runner as runner

    before = (runner.frame_from_staging, pipeline.assign_row_ids, outputs.CleanOutputs.add_curated, outputs.CleanOutputs.commit)
    result = run.phase_wide(run.wide_csv(12, 3, tmp_path), tmp_path)
    parts = result["part_cpu_seconds"]
    assert {"ingest", "clean stage", "frame", "row ids", "outputs"} == set(parts)
    assert list(parts.values()) == sorted(parts.values(), reverse=True) and all(v >= 0 for v in parts.values())
    assert parts["frame"] + parts["row ids"] + parts["outputs"] <= parts["clean stage"] <= result["cpu_seconds"]
    assert (runner.frame_from_staging, pipeline.assign_row_ids, outputs.CleanOutputs.add_curated, outputs.CleanOutputs.commit) == before


def test_the_read_phase_reads_every_row_by_each_engine_and_reports_its_cpu_time(tmp_path: Path) -> None:
    csv = tmp_path / "r.csv"
    csv.write_text("id,name\n" + "".join(f'{i},"n, {i}"\n' for i in range(500)), encoding="utf-8")
    for engine in ("pyarrow", "arrow", "python", "pyarrow-stream"):
        result = run.phase_read(csv, engine, 100)
        assert result["rows"] == 500 and result["cpu_seconds"] >= 0 and result["seconds"] > 0, engine


def test_each_lsh_job_names_modules_that_import() -> None:
    import importlib

    assert set(run._LSH_MODULES) == {"datasketch", "rensa", "headwater"}
    for modules in run._LSH_MODULES.values():
        for module in modules:
            importlib.import_module(module)


def test_clean_profile_times_a_step_in_wall_and_cpu_seconds() -> None:
    import clean_profile

    class Busy:
        name = "busy"

        def apply(self, df):  # type: ignore[no-untyped-def]
            return sum(i * i for i in range(200_000)) + df

        def fit(self, columns):  # type: ignore[no-untyped-def]
            return columns

    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}
    step = clean_profile._Timed(Busy(), wall, cpu)
    assert step.apply(1) == sum(i * i for i in range(200_000)) + 1
    assert step.fit("cols") == "cols"
    assert set(wall) == set(cpu) == {"busy", "busy (fit)"}
    assert cpu["busy"] > 0 and wall["busy"] > 0


def test_the_naive_ingest_and_headwater_phases_report_their_cpu_seconds(tmp_path: Path) -> None:
    csv = tmp_path / "customers_20_s1_v1.csv"
    csv.write_text("id,name,amount\n" + "".join(f"{i},name {i % 7},{i}.5\n" for i in range(20)), encoding="utf-8")
    naive = run.phase_naive(csv, tmp_path)
    ingest = run.phase_ingest(csv, tmp_path, 100)
    both = run.phase_headwater(csv, tmp_path, 100, 20)
    assert naive["rows_out"] == 20 and ingest["rows_read"] == 20 and both["accounted"]
    for result in (naive, ingest, both):
        assert 0 < result["cpu_seconds"] and result["seconds"] > 0
    import headwater.clean.stage as clean_stage

    assert clean_stage.build_steps.__name__ == "build_steps"  # the timing wrapper is put back: later cleans in this process are the real ones


def test_clean_profile_credits_the_peak_resident_set_to_the_step_that_made_it() -> None:
    import clean_profile

    class Big:
        name = "big"

        def apply(self, df):  # type: ignore[no-untyped-def]
            ballast = bytearray(300 << 20)  # 300 MB, touched (zeroed pages are resident once written)
            ballast[:: 4096] = b"x" * len(range(0, len(ballast), 4096))
            time.sleep(0.05)  # the sampler runs while the step holds its memory
            return len(ballast) + df

    rss = clean_profile.RssByLabel(interval=0.001)
    step = clean_profile._Timed(Big(), {}, {}, rss)
    assert step.apply(1) == (300 << 20) + 1
    assert rss.label == "other"
    peaks = rss.stop()
    assert peaks["big"] - peaks.get("other", 0.0) >= 250  # the 300 MB show while "big" ran, not after it
