"""Debian's nginx in front of running processes with the routing `sysops nginx-conf` renders (the
production path), on a free port, for the topology test and the composition benchmark."""
from __future__ import annotations

import subprocess
from pathlib import Path

from sysops import nginx
from sysops.procutil import free_port, wait_for_health

from .processes import terminate

NGINX = Path("/usr/sbin/nginx")
MAIN = """daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {root}/access.log;
    client_body_temp_path {root}/body; proxy_temp_path {root}/proxy; fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi; scgi_temp_path {root}/scgi;
    include {root}/sysops.conf;
}}
"""


class NginxFront:
    def __init__(self, root: Path, shells: list[str], fragments: dict[str, list[str]], auth: str = "shell"):
        """`shells`: host:port of each shell instance; `fragments`: name -> host:port of each instance;
        `auth`: who answers the auth subrequest (sysops.nginx.AUTH)."""
        self.root, self.port = root, free_port()
        manifests = nginx.our_manifests()
        upstreams = [(name, servers, nginx.read_timeout_ms(manifests.get(name))) for name, servers in fragments.items()]
        (root / "sysops.conf").write_text(nginx.render(shells, upstreams, listen=f"127.0.0.1:{self.port}",
                                                       server_name="localhost", auth=auth))
        (root / "main.conf").write_text(MAIN.format(root=root))
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _argv(self, *extra: str) -> list[str]:
        return [str(NGINX), *extra, "-p", str(self.root), "-c", str(self.root / "main.conf"), "-e",
                str(self.root / "error.log")]

    def start(self) -> "NginxFront":
        checked = subprocess.run(self._argv("-t"), capture_output=True, text=True)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx refused the configuration: {checked.stderr}")
        self.process = subprocess.Popen(self._argv(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_health(f"{self.base}/healthz", timeout=30)
        return self

    def stop(self) -> None:
        if self.process is not None:
            terminate(self.process)
            self.process = None
