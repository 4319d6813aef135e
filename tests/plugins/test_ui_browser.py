"""The local Airflow a user opens, in a real browser: `headwater ui` (what `make airflow` runs) over the
metadata DB and data a real `headwater run --date 2026-11-20` (what `make run` runs) left.

One module-scoped setup (the run, then the four services) serves every test here; the browser is
headless Debian Chromium driven by selenium with the system chromedriver (nothing is downloaded).
Screenshots go to ``$HEADWATER_SCREENSHOTS`` when set (the README's comes from there), else to the
test's temporary folder.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import servers

PROJECT = Path(__file__).resolve().parents[2]
DATE = "2026-11-20"
PASSWORD = "headwater-test"  # written to the simple auth manager's passwords file before the api-server starts
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def local_airflow(tmp_path_factory: pytest.TempPathFactory):
    """(base URL, env, data dir) of a `headwater ui` started over a finished `headwater run` of the sample day."""
    root = tmp_path_factory.mktemp("ui")
    airflow_home = root / "home" / "airflow"
    env = {
        **os.environ,
        "HEADWATER_HOME": str(root / "home"),
        "HEADWATER_LANDING_URI": (PROJECT / "sample_data" / "landing").as_uri(),
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(airflow_home / "logs"),
    }
    # twice: the second run finds every file unchanged, so its `clean` tasks are skipped before they start
    for _ in range(2):
        run = subprocess.run([sys.executable, "-m", "headwater.cli", "run", "--date", DATE], env=env,
                             capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (airflow_home / "simple_auth_manager_passwords.json.generated").write_text(json.dumps({"admin": PASSWORD}))
    port = servers.free_port()
    log = open(root / "ui.log", "w")  # noqa: SIM115 - open while the services run
    ui = subprocess.Popen([sys.executable, "-m", "headwater.cli", "ui", "--port", str(port)], env=env,
                          stdout=log, stderr=subprocess.STDOUT)
    base = f"http://localhost:{port}"
    try:
        servers.wait_until(lambda: _healthy(base), timeout_s=180, what="the local Airflow")
        yield base, env, root / "home" / "data", ui
    finally:
        if ui.poll() is None:
            ui.send_signal(signal.SIGINT)
            ui.wait(timeout=60)
        log.close()


def _healthy(base: str) -> bool:
    """The api-server answers and reports the scheduler, dag-processor and triggerer healthy."""
    with urllib.request.urlopen(f"{base}/api/v2/monitor/health", timeout=2) as response:
        health = json.load(response)
    return all((health.get(c) or {}).get("status") == "healthy" for c in ("scheduler", "triggerer", "dag_processor"))


def _get(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _token(base: str) -> str:
    body = json.dumps({"username": "admin", "password": PASSWORD}).encode()
    request = urllib.request.Request(f"{base}/auth/token", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["access_token"]


def _expected(data: Path) -> dict[str, dict[str, int]]:
    """Per landing file, the counts its manifest holds (what the view must show, exactly)."""
    out = {}
    for path in sorted((data / "manifests" / f"date={DATE}").glob("*.json")):
        m = json.loads(path.read_text())
        out[m["file"]] = {k: int(m.get(k) or 0) for k in ("rows_read", "curated", "duplicates", "quarantined")}
    return out


def test_anonymous_requests_are_refused(local_airflow) -> None:
    base, *_ = local_airflow
    for path in (f"quality/date/{DATE}", f"quality/api/date/{DATE}", "quality/plotly.min.js", "quality/run/headwater_ingest/x"):
        status, _ = _get(f"{base}/headwater/{path}")
        assert status == 401, path
    status, _ = _get(f"{base}/headwater/quality/api/date/{DATE}", token="not-a-jwt")
    assert status in (401, 403)


def test_the_json_table_matches_the_manifests(local_airflow) -> None:
    base, _, data, _ = local_airflow
    status, body = _get(f"{base}/headwater/quality/api/date/{DATE}", token=_token(base))
    assert status == 200
    table = json.loads(body)
    got = {f["file"]: {k: f[k] for k in ("rows_read", "curated", "duplicates", "quarantined")} for f in table["files"]}
    assert got == _expected(data)
    # the sample day as `make run` prints it (README): 42 rows read, 31 curated, 8 duplicates, 3 quarantined
    assert table["totals"] == {"rows_read": 42, "curated": 31, "duplicates": 8, "quarantined": 3}
    assert {f["file"]: f["status"] for f in table["files"]}["orders_export.csv"] == "quarantined"
    assert table["no_landing_files"] is False


def test_task_logs_of_the_cli_run_are_in_the_ui(local_airflow) -> None:
    base, *_ = local_airflow
    token = _token(base)
    status, body = _get(f"{base}/api/v2/dags/headwater_ingest/dagRuns", token=token)
    runs = json.loads(body)["dag_runs"]
    assert [(r["run_type"], r["logical_date"][:10], r["state"]) for r in runs] == [("scheduled", DATE, "success")]
    run_id = runs[0]["dag_run_id"]
    status, body = _get(f"{base}/api/v2/dags/headwater_ingest/dagRuns/{run_id}/taskInstances/report/logs/1", token=token)
    assert status == 200
    events = [e.get("event") for e in json.loads(body)["content"]]
    assert f"Headwater run {DATE}" in events  # the report table, line by line, outside any group
    assert any(str(e).startswith("total ") and " 42 " in str(e) for e in events)


def test_tasks_skipped_before_they_start_show_file_names(local_airflow) -> None:
    base, _, data, _ = local_airflow
    token = _token(base)
    status, body = _get(f"{base}/api/v2/dags/headwater_ingest/dagRuns/scheduled__2026-11-21T00:00:00+00:00/taskInstances?limit=200", token=token)
    assert status == 200
    tis = json.loads(body)["task_instances"]
    clean = {ti["rendered_map_index"]: ti["state"] for ti in tis if ti["task_id"] == "process_file.clean"}
    assert clean == {name: "skipped" for name in _expected(data)}  # every file unchanged: never started, still named


def test_the_task_instance_tab_opens_the_tasks_file(local_airflow) -> None:
    from headwater.layout import file_key

    base, *_ = local_airflow
    token = _token(base)
    run = "scheduled__2026-11-21T00:00:00+00:00"
    status, body = _get(f"{base}/api/v2/dags/headwater_ingest/dagRuns/{run}/taskInstances?task_id=process_file.ingest&limit=200", token=token)
    names = {ti["map_index"]: ti["rendered_map_index"] for ti in json.loads(body)["task_instances"] if ti["task_id"] == "process_file.ingest"}
    for index in (0, len(names) - 1):
        request = urllib.request.Request(f"{base}/headwater/quality/ti/headwater_ingest/{run}/process_file.ingest/{index}",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=30) as response:  # follows the redirect, with the header
            assert response.url.endswith(f"/headwater/quality/date/{DATE}/file/{file_key(names[index])}")
            assert f"<h2>{names[index]}</h2>" in response.read().decode()
    status, _ = _get(f"{base}/headwater/quality/ti/headwater_ingest/{run}/report/-1", token=token)
    assert status == 200  # an unmapped task opens the date


@pytest.fixture(scope="module")
def browser(local_airflow):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("needs the Debian chromium and chromium-driver packages (scripts/install_debs.sh)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--window-size=1400,1000", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("HEADWATER_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_log_in_and_open_the_data_quality_view(local_airflow, browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    base, _, data, _ = local_airflow
    shots = _screenshots(tmp_path)
    wait = WebDriverWait(browser, 60)
    browser.get(f"{base}/")
    user = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "input[name='username']")))
    user.send_keys("admin")
    browser.find_element(By.CSS_SELECTOR, "input[name='password']").send_keys(PASSWORD + Keys.ENTER)
    wait.until(lambda d: any(c["name"] == "_token" for c in d.get_cookies()))

    # the tab on the DAG run's page: the UI shows the view in an iframe
    run_id = "scheduled__2026-11-21T00:00:00+00:00"
    browser.get(f"{base}/dags/headwater_ingest/runs/{run_id}/plugin/headwater-quality-run")
    frame = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "iframe")))
    browser.switch_to.frame(frame)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#files tbody tr")))
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#history-plot .main-svg")))
    browser.switch_to.default_content()
    browser.save_screenshot(str(shots / "data-quality-run-tab.png"))

    # the view itself, full page: every file's numbers exactly as its manifest holds them
    browser.get(f"{base}/headwater/quality/date/{DATE}")
    rows = wait.until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, "#files tbody tr")))
    shown = {
        r.get_attribute("data-file"): {c.get_attribute("data-col"): int(c.text) for c in r.find_elements(By.CSS_SELECTOR, "td[data-col]")}
        for r in rows
    }
    assert shown == _expected(data)
    totals = {c.get_attribute("data-col"): int(c.text) for c in browser.find_elements(By.CSS_SELECTOR, "#totals td[data-col]")}
    assert totals == {"rows_read": 42, "curated": 31, "duplicates": 8, "quarantined": 3}
    # the plot rendered: plotly drew its SVG with one trace per source and outcome
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#history-plot .main-svg")))
    traces = browser.execute_script("return document.getElementById('history-plot').data.length")
    assert traces == 2 * len({r.get_attribute("data-source") for r in rows})  # curated and quarantined per source
    browser.save_screenshot(str(shots / "data-quality.png"))

    # a file's page: its column mapping and quarantined rows with reasons
    browser.find_element(By.LINK_TEXT, "Customers Export.csv").click()
    mapping = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#mapping")))
    assert "' Customer ID '" in mapping.text and "customer_id" in mapping.text
    # Customers Export.csv quarantines nothing since struct6 (its line of commas only is a blank line): customersApac.csv's refund
    browser.back()
    wait.until(ec.presence_of_element_located((By.LINK_TEXT, "customersApac.csv"))).click()
    quarantined = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#quarantined"))).text
    assert "breaks min 0" in quarantined
    browser.save_screenshot(str(shots / "data-quality-file.png"))


def test_ctrl_c_stops_every_service(local_airflow) -> None:
    """Last in the module: Ctrl-C on `headwater ui` leaves no Airflow service running."""
    import psutil

    _, _, _, ui = local_airflow
    children = psutil.Process(ui.pid).children(recursive=True)
    assert len(children) >= 4
    ui.send_signal(signal.SIGINT)
    assert ui.wait(timeout=90) == 0
    _, alive = psutil.wait_procs(children, timeout=10)
    assert alive == []
