"""Production routing for the composed UI, rendered from the same settings and manifests as `make run`
(`sysops nginx-conf`; deploy/nginx.conf is its output for the default ports, kept equal by a test).

    /fragments/<name>/...  -> that fragment's upstream, with a short-lived user token the shell mints in
                              an auth subrequest (nginx never sees the session key). Reads wait as long
                              as the fragment's slots allow (its manifest's `timeout_ms`), then get the
                              shell's fallback; changes wait like the shell's own proxy (15 s).
    a direct visit (no HX-Request, or htmx restoring history) -> the shell, which wraps the fragment
                              in a whole page;
    everything else        -> the shell (legacy screens, login, bridge API).

Deploying one fragment alone = replacing the servers of its upstream; nothing else restarts.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit

from foundation.config import Settings
from fragments.customers.manifest import manifest as customers_manifest
from fragments.experts.manifest import manifest as experts_manifest
from fragments.knowledge.manifest import manifest as knowledge_manifest
from fragments.notifications.manifest import manifest as notifications_manifest
from fragments.reports.manifest import manifest as reports_manifest
from fragments.ticketing.manifest import manifest as ticketing_manifest
from shell_app.front.proxy import WRITE_TIMEOUT_S  # the shell's built-in proxy's: one constant for both

DEFAULT_READ_TIMEOUT_MS = 3000

HEAD = """# Production routing for the composed Sysops Squad UI. Rendered by `sysops nginx-conf` (sysops/nginx.py)
# from the fragment list and manifests; edit the upstreams' servers, not the locations.
#
#   /fragments/<name>/...  -> that fragment, with a user token the shell mints in an auth subrequest
#                             (nginx never sees the session key); reads time out per the fragment's
#                             manifest and get the shell's fallback; changes wait {write}s;
#   a direct visit (no HX-Request) -> the shell, which wraps the fragment in a whole page;
#   everything else        -> the shell (legacy screens, login, bridge API).
"""

MAPS = """
map $http_hx_request $sysops_hx { default 0; "true" 1; }
map "$sysops_hx:$http_hx_history_restore_request" $sysops_fragment_direct {
    default 1;          # a swap made by htmx: straight to the fragment
    "~^0:" 0;           # no HX-Request: a visit or reload, the shell renders a whole page
    "~^1:true$" 0;      # htmx restoring history: it needs the whole page too
}
"""

SERVER_HEAD = """
server {{
    listen {listen};
    server_name {server_name};
    client_max_body_size 1m;

    # The auth subrequest: {auth_doc} checks the session cookie (and CSRF on unsafe methods) and
    # answers 204 with the user token in X-Fragment-Token, or 401/403.
    location = /_fragment_auth {{
        internal;
        proxy_pass {auth_url}$sysops_fragment_name;
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
        proxy_set_header X-Original-Method $request_method;
        proxy_set_header X-Original-URI $request_uri;
        proxy_set_header Cookie $http_cookie;
        proxy_set_header X-CSRF-Token $http_x_csrf_token;
        proxy_http_version 1.1;                  # kept-alive connections to the shell (upstream keepalive):
        proxy_set_header Connection "";          # the check runs before every fragment request
    }}
"""

PROXY = """        auth_request /_fragment_auth;
        auth_request_set $sysops_token $upstream_http_x_fragment_token;
        auth_request_set $sysops_csrf $upstream_http_x_shell_csrf;
        proxy_set_header Authorization "Bearer $sysops_token";
        proxy_set_header X-Shell-CSRF $sysops_csrf;
        proxy_set_header X-Forwarded-Prefix /fragments/{name};
        proxy_set_header X-Forwarded-Host $http_host;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header Cookie "";              # the fragment trusts the token, never the session
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_connect_timeout 500ms;
        proxy_read_timeout {timeout};
        proxy_intercept_errors on;
        error_page 502 503 504 = @sysops_fallback;
        proxy_pass http://sysops_{name}$sysops_fragment_path$is_args$args;
"""

FRAGMENT = """
    location ~ ^/fragments/{name}(?<sysops_path>/.*)$ {{
        set $sysops_fragment_name {name};
        set $sysops_fragment_path $sysops_path;
        error_page 418 = @sysops_shell;
        if ($sysops_fragment_direct = 0) {{ return 418; }}
        error_page 419 = @sysops_{name}_change;
        if ($request_method !~ ^(GET|HEAD)$) {{ return 419; }}
{read}    }}

    location @sysops_{name}_change {{
{write}    }}
"""

SERVER_TAIL = """
    location @sysops_fallback {
        proxy_pass http://sysops_shell/fragments-fallback/$sysops_fragment_name$sysops_fragment_path$is_args$args;
        proxy_set_header Cookie $http_cookie;
        proxy_set_header HX-Request $http_hx_request;
    }

    location @sysops_shell {
        proxy_pass http://sysops_shell;
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
    }

    location / {
        proxy_pass http://sysops_shell;
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_read_timeout 30s;
    }
}
"""


def _server(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 80}"


def read_timeout_ms(manifest: Mapping[str, Any] | None) -> int:
    """The longest slot time-out the fragment declares: no slot of it is cut shorter than its manifest says."""
    slots = (manifest or {}).get("slots", {}).values()
    return max((int(slot.get("timeout_ms") or DEFAULT_READ_TIMEOUT_MS) for slot in slots),
               default=DEFAULT_READ_TIMEOUT_MS)


# An idle kept-alive connection is dropped by nginx before gunicorn closes it (its --keep-alive, 2 s by
# default), so nginx never sends a request down a connection the server is closing.
UPSTREAM_IDLE_S = 1


# Who answers the auth subrequest: the shell's route (the monolith's, which may still sign people in),
# or, behind the composition shell (ADR 0033), the identity service itself: no hop through the shell.
AUTH = {"shell": ("the shell", "http://sysops_shell/fragments-auth/"),
        "identity": ("the identity service", "http://sysops_identity/auth/fragment/")}


def render(shell_servers: Iterable[str], fragments: Iterable[tuple[str, Iterable[str], int]], *,
           listen: str = "80", server_name: str = "sysops.example", auth: str = "shell") -> str:
    """The whole `http`-level configuration: upstreams (each with its servers), maps and the server."""
    fragments = list(fragments)
    upstreams = [("shell", list(shell_servers))] + [(name, list(servers)) for name, servers, _ in fragments]
    text = HEAD.format(write=int(WRITE_TIMEOUT_S)) + "\n"
    for name, servers in upstreams:
        text += (f"upstream sysops_{name} {{\n" + "".join(f"    server {s};\n" for s in servers)
                 + f"    keepalive 16;\n    keepalive_timeout {UPSTREAM_IDLE_S}s;\n}}\n")
    if auth == "identity" and "identity" not in {name for name, _ in upstreams}:
        raise ValueError("the auth subrequest goes to the identity service: give its upstream")
    auth_doc, auth_url = AUTH[auth]
    text += MAPS + SERVER_HEAD.format(listen=listen, server_name=server_name, auth_doc=auth_doc, auth_url=auth_url)
    for name, _servers, timeout_ms in fragments:
        text += FRAGMENT.format(name=name, read=PROXY.format(name=name, timeout=f"{timeout_ms}ms"),
                                write=PROXY.format(name=name, timeout=f"{int(WRITE_TIMEOUT_S)}s"))
    return text + SERVER_TAIL


def our_manifests() -> dict[str, dict[str, Any]]:
    """The manifests of the fragments in this repository, as each serves at /manifest.json."""
    return {m["name"]: m for m in (ticketing_manifest(), experts_manifest(), reports_manifest(), knowledge_manifest(),
                                   notifications_manifest(), customers_manifest())}


def for_settings(settings: Settings, manifests: Mapping[str, Mapping[str, Any]] | None = None, *,
                 listen: str = "80", server_name: str = "sysops.example") -> str:
    """One server per upstream, from SYSOPS_* (the operator adds the second instance of each)."""
    manifests = our_manifests() if manifests is None else manifests
    shell = f"{settings.host}:{settings.shell_port}"
    fragments = [(name, [_server(url)], read_timeout_ms(manifests.get(name))) for name, url in settings.fragments]
    return render([shell], fragments, listen=listen, server_name=server_name,
                  auth="identity" if settings.front_door == "shell" else "shell")
