"""A WSGI app served over real HTTP on a free local port, on a thread of the test's process (a
fragment's stand-in the shell reaches as it reaches a service)."""
from __future__ import annotations

import threading

from werkzeug.serving import make_server


class Served:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
