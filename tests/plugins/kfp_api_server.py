"""A local HTTP server that speaks the KFP v2beta1 run endpoints the operator uses.

POST /apis/v2beta1/runs                 -> creates a run (or answers ``create_error``)
GET  /apis/v2beta1/runs/{id}            -> the run, walking through ``states`` one GET at a time
POST /apis/v2beta1/runs/{id}:terminate  -> marks the run CANCELED
Bodies follow kfp_server_api 2.17's V2beta1Run; errors are grpc-gateway ``{"code", "message"}``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

RUNS = "/apis/v2beta1/runs"


@dataclass
class KfpApiState:
    states: list[str] = field(default_factory=lambda: ["PENDING", "RUNNING", "SUCCEEDED"])
    error_message: str = ""  # put into the run's error.message once it is FAILED
    create_error: tuple[int, str] | None = None  # (HTTP status, message) for POST /runs
    get_failures: list[int] = field(default_factory=list)  # HTTP statuses answered to the first GETs
    requests: list[dict[str, Any]] = field(default_factory=list)
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    gets: int = 0
    terminated: list[str] = field(default_factory=list)


class KfpApiServer:
    def __init__(self) -> None:
        self.state = KfpApiState()
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep pytest output clean
                pass

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _record(self, body: Any = None) -> None:
                state.requests.append({"method": self.command, "path": self.path,
                                       "headers": dict(self.headers), "body": body})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                self._record(body)
                if self.path == RUNS:
                    if state.create_error:
                        status, message = state.create_error
                        return self._reply(status, {"code": 3, "message": message, "details": []})
                    run_id = f"run-{len(state.runs) + 1}"
                    state.runs[run_id] = {**body, "run_id": run_id, "state": "PENDING",
                                          "created_at": "2026-11-20T00:00:00Z"}
                    return self._reply(200, state.runs[run_id])
                if self.path.startswith(RUNS + "/") and self.path.endswith(":terminate"):
                    run_id = self.path[len(RUNS) + 1:-len(":terminate")]
                    state.terminated.append(run_id)
                    if run_id in state.runs:
                        state.runs[run_id]["state"] = "CANCELED"
                    return self._reply(200, {})
                self._reply(404, {"code": 5, "message": f"no route {self.path}"})

            def do_GET(self) -> None:
                self._record()
                run_id = self.path[len(RUNS) + 1:] if self.path.startswith(RUNS + "/") else ""
                if run_id not in state.runs:
                    return self._reply(404, {"code": 5, "message": f"run {run_id} not found"})
                if state.get_failures:
                    return self._reply(state.get_failures.pop(0), {"code": 14, "message": "upstream unavailable"})
                run = state.runs[run_id]
                if run["state"] != "CANCELED":
                    run["state"] = state.states[min(state.gets, len(state.states) - 1)]
                    state.gets += 1
                if run["state"] == "FAILED" and state.error_message:
                    run["error"] = {"code": 2, "message": state.error_message, "details": []}
                self._reply(200, run)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> KfpApiServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
