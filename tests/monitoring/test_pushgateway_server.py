"""The test Pushgateway (tests/servers.py) starts empty: no metric pushed to an earlier gateway reappears."""

from __future__ import annotations

import urllib.request

import servers


def _put(url: str, body: str) -> None:
    request = urllib.request.Request(f"{url}/metrics/job/isolation_check", data=body.encode(), method="PUT")
    urllib.request.urlopen(request, timeout=5).close()


def test_each_gateway_starts_empty() -> None:
    first = servers.start_pushgateway()
    try:
        _put(first.url, "headwater_isolation_check 1\n")
        assert "headwater_isolation_check" in urllib.request.urlopen(f"{first.url}/metrics", timeout=5).read().decode()
    finally:
        first.stop()  # Debian's default would now write it to /var/lib/prometheus/pushgateway.data
    second = servers.start_pushgateway()
    try:
        assert "headwater_isolation_check" not in urllib.request.urlopen(f"{second.url}/metrics", timeout=5).read().decode()
    finally:
        second.stop()
