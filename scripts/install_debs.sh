#!/usr/bin/env bash
# Install the Debian packages whose servers the tests start on loopback (PostgreSQL, Redis, Prometheus,
# Pushgateway, Chromium),
# if they are missing. Needs root (or passwordless sudo); prints what to do otherwise.
set -euo pipefail
need=()
command -v prometheus-pushgateway >/dev/null || need+=(prometheus-pushgateway)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)  # scripts/servers.py: start_postgres (tests and make cluster)
command -v redis-server >/dev/null || need+=(redis-server)                     # Celery broker, stream source
command -v promtool >/dev/null || need+=(prometheus)                          # Prometheus server and promtool
command -v chromium >/dev/null || need+=(chromium)                            # the Airflow UI browser test
command -v chromedriver >/dev/null || need+=(chromium-driver)
# The real statsd_exporter for tests/monitoring/test_statsd_exporter.py, where the distribution has it
# (Debian 12 has no prometheus-statsd-exporter: the test is skipped there).
if ! command -v prometheus-statsd-exporter >/dev/null && ! command -v statsd_exporter >/dev/null \
    && apt-cache policy prometheus-statsd-exporter 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    need+=(prometheus-statsd-exporter)
fi
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
        echo "missing Debian packages: ${need[*]} — install them (apt-get install ${need[*]}) and re-run" >&2
        exit 1
    fi
fi
echo "installing Debian packages for the test servers: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
