"""An SMS gateway's HTTP API standing in for the real one (outside our system): records what it is
sent, refuses the numbers it is told to (422), and can be down (503)."""
from __future__ import annotations

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .processes import free_port


class FakeSmsGateway:
    def __init__(self, key: str = "gateway-key"):
        self.key = key
        self.received: list[dict] = []
        self.refused_numbers: set[str] = set()
        self.down = False
        self._ids = itertools.count(1)
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):
                return None

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if self.headers.get("Authorization") != f"Bearer {gateway.key}":
                    return self._answer(401, {"error": "bad key"})
                if gateway.down:
                    return self._answer(503, {"error": "maintenance"})
                if body.get("to") in gateway.refused_numbers:
                    return self._answer(422, {"error": "number not reachable"})
                gateway.received.append(body)
                return self._answer(200, {"id": f"gw-{next(gateway._ids)}"})

            def _answer(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/messages"

    def __enter__(self) -> "FakeSmsGateway":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()
