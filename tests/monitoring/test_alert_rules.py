"""The alert rules file: valid for promtool, each rule fires on its synthetic series and stays quiet on
the others (alert_rules_test.yaml), and each carries a summary, a description with its numbers and a
runbook link to a README anchor that exists."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from servers import _need

PROJECT = Path(__file__).resolve().parents[2]
RULES = PROJECT / "helm" / "headwater" / "files" / "prometheus-rules.yaml"
RULE_TESTS = Path(__file__).with_name("alert_rules_test.yaml")
ALERTS = {
    "HeadwaterSourceStale", "HeadwaterQuarantineSpike", "HeadwaterTaskFailed",
    "HeadwaterNoLandingFilesToday", "HeadwaterFinetuneWorseThanBase", "HeadwaterGpuBacklog",
}  # fmt: skip


def _promtool(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess:
    return subprocess.run([_need("promtool", "prometheus"), *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def _rules() -> list[dict]:
    return [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


def test_promtool_check_rules() -> None:
    done = _promtool("check", "rules", str(RULES))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 6 rules found" in done.stdout


def test_promtool_test_rules_fire_and_stay_quiet() -> None:
    done = _promtool("test", "rules", RULE_TESTS.name, cwd=RULE_TESTS.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    tested = set(re.findall(r"alertname: (\w+)", RULE_TESTS.read_text()))
    assert tested == ALERTS  # every rule has a case


def test_promtool_test_rules_catches_a_broken_threshold(tmp_path: Path) -> None:
    """The rule tests can fail: with the staleness limit at 28 h instead of 26 h, the stale case no longer fires."""
    (tmp_path / "rules.yaml").write_text(RULES.read_text().replace("> 26 * 3600", "> 28 * 3600"))
    (tmp_path / "test.yaml").write_text(RULE_TESTS.read_text().replace("../../helm/headwater/files/prometheus-rules.yaml", "rules.yaml"))
    done = _promtool("test", "rules", "test.yaml", cwd=tmp_path)
    assert done.returncode != 0 and "alertname: HeadwaterSourceStale" in done.stdout + done.stderr


def test_every_rule_has_summary_numbers_and_a_runbook_anchor_in_the_readme() -> None:
    readme = (PROJECT / "README.md").read_text()
    anchors = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', readme)) | {
        re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in re.findall(r"^#+ (.+)$", readme, re.MULTILINE)
    }
    rules = _rules()
    assert {r["alert"] for r in rules} == ALERTS
    for rule in rules:
        notes = rule["annotations"]
        assert notes["summary"] and "{{ $value" in notes["description"], rule["alert"]
        assert notes["runbook_url"] == f"README.md#{rule['alert'].lower()}"
        assert rule["alert"].lower() in anchors, f"README has no runbook section for {rule['alert']}"
        assert rule["labels"]["severity"] in ("warning", "critical")
