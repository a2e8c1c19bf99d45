"""The same-origin route to fragment apps: /fragments/<name>/<path> is forwarded to the fragment with
a short-lived token naming the logged-in user. A fragment that fails or is slow gets its fallback;
a direct visit (or history restore) to a fragment URL gets a whole shell page around it."""
from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, render_template, request
from markupsafe import Markup

from foundation.vocabulary import ROLES

from ..access import allow, csrf_token
from ..composition.outgoing import on_behalf, user_token
from ..composition.registry import FragmentUnavailable, registry
from ..composition.slots import fallback_of

bp = Blueprint("fragments", __name__)
FORWARDED_REQUEST_HEADERS = ("HX-Request", "HX-Target", "HX-Trigger", "HX-Trigger-Name", "HX-Current-URL",
                             "HX-Prompt", "Content-Type", "Accept", "Accept-Language", "X-CSRF-Token",
                             "If-None-Match", "If-Modified-Since")
PASSED_RESPONSE_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control", "ETag", "Last-Modified",
                           "HX-Trigger", "HX-Trigger-After-Swap",
                           "HX-Trigger-After-Settle", "HX-Push-Url", "HX-Replace-Url", "HX-Redirect", "HX-Refresh",
                           "HX-Retarget", "HX-Reswap", "HX-Location")
# A state change is not cut short like a read: giving up early would leave the user unsure whether
# it was saved. Reads get the slot's own (short) time-out and fall back.
WRITE_TIMEOUT_S = 15.0  # nginx's proxy_read_timeout for writes is this same constant (sysops/nginx.py)


def _full_page() -> bool:
    return request.method == "GET" and (not request.headers.get("HX-Request")
                                        or bool(request.headers.get("HX-History-Restore-Request")))


@bp.route("/fragments/<name>/", defaults={"rest": ""}, methods=["GET", "POST"])
@bp.route("/fragments/<name>/<path:rest>", methods=["GET", "POST"])
@allow(*ROLES)
def proxy(name: str, rest: str):
    fragments = registry()
    if name not in fragments:
        abort(404)
    path = "/" + rest
    is_asset = rest.startswith("static/")
    full_page = _full_page() and not is_asset
    headers = {h: request.headers[h] for h in FORWARDED_REQUEST_HEADERS if h in request.headers}
    if full_page:  # the page around the fragment is the shell's: the fragment's validators do not apply
        for header in ("HX-Request", "If-None-Match", "If-Modified-Since"):
            headers.pop(header, None)
    headers.update(on_behalf(name))
    try:
        answer = fragments.fetch(name, request.method, path, query=request.query_string, headers=headers,
                                 body=request.get_data(),
                                 timeout=fragments.timeout_for(name, path) if request.method == "GET" else WRITE_TIMEOUT_S)
    except FragmentUnavailable:
        return _fallback(name, path, full_page)
    if full_page and not answer.headers.get("Content-Type", "").startswith("text/html"):
        full_page = False  # a download (CSV) or JSON is passed through as it is, never wrapped in a page
    if full_page:
        content = Markup(answer.body.decode("utf-8", "replace"))  # HTML our own fragment escaped
        response = Response(render_template("shell/fragment_page.html", fragment=name, content=content,
                                            slot_url=request.full_path.rstrip("?")), answer.status)
    else:
        response = Response(answer.body, answer.status)
        for header in PASSED_RESPONSE_HEADERS:
            if header in answer.headers:
                response.headers[header] = answer.headers[header]
    response.headers["X-Fragment"] = name
    response.vary.add("HX-Request")
    return response


@bp.get("/fragments-auth/<name>")
@allow(*ROLES)
def auth_subrequest(name: str):
    """For nginx's auth_request in production (deploy/nginx.conf): the session is checked by the
    access rules above; CSRF here for the original unsafe method; the token goes back in a header."""
    if name not in registry():
        abort(404)
    if request.headers.get("X-Original-Method", "GET").upper() in ("POST", "PUT", "PATCH", "DELETE"):
        sent = request.headers.get("X-CSRF-Token", "")
        if not sent or not hmac.compare_digest(sent.encode(), csrf_token().encode()):
            # 403, not 400: nginx's auth_request passes only 401 and 403 on; any other answer becomes a 500.
            abort(403, description="missing or wrong CSRF token")
    return Response(status=204, headers={"X-Fragment-Token": user_token(name), "X-Shell-CSRF": csrf_token()})


auth_subrequest.answers_401 = True  # type: ignore[attr-defined]


@bp.get("/fragments-fallback/<name>/", defaults={"rest": ""})
@bp.get("/fragments-fallback/<name>/<path:rest>")
@allow(*ROLES)
def fallback_page(name: str, rest: str):
    """What nginx shows when a fragment fails (error_page): the same fallback the built-in proxy gives."""
    if name not in registry():
        abort(404)
    return _fallback(name, "/" + rest, full_page=False)


def _fallback(name: str, path: str, full_page: bool) -> Response:
    fragments = registry()
    message = fallback_of(request.headers)  # the page's own words, sent by htmx with the slot's requests
    if request.method != "GET":
        message = ("The service did not confirm your change. It may not have been saved: check before "
                   "trying again.")
        return Response(render_template("shell/_fragment_fallback.html", message=message, retry_url=None), 503,
                        headers={"X-Fragment": name, "X-Fragment-Fallback": "1"})
    query = request.query_string.decode("latin-1")
    retry_url = fragments.prefix(name) + path + (f"?{query}" if query else "")
    body = render_template("shell/_fragment_fallback.html", message=message, retry_url=retry_url)
    if full_page:
        body = render_template("shell/fragment_page.html", fragment=name, content=Markup(body), slot_url=retry_url)
    response = Response(body, 200, headers={"X-Fragment": name, "X-Fragment-Fallback": "1"})
    response.vary.add("HX-Request")
    return response
