"""RFC 9457 problem details: every bridge error is `application/problem+json`."""
from __future__ import annotations

from flask import Response, json, request
from werkzeug.exceptions import HTTPException

PROBLEM_BASE = "https://sysops-squad.example/problems/"


class Problem(Exception):
    def __init__(self, status: int, title: str, detail: str = "", kind: str | None = None, **extra):
        super().__init__(detail or title)
        self.status, self.title, self.detail = status, title, detail
        self.kind = kind or title.lower().replace(" ", "-")
        self.extra = extra


def problem_body(status: int, title: str, detail: str = "", kind: str | None = None, **extra) -> dict:
    """The problem as a JSON object (also one item's outcome inside a batch answer)."""
    return {"type": PROBLEM_BASE + (kind or title.lower().replace(" ", "-")), "title": title, "status": status,
            "detail": detail or title, "instance": request.path, **extra}


def problem_response(status: int, title: str, detail: str = "", kind: str | None = None, **extra) -> Response:
    body = problem_body(status, title, detail, kind, **extra)
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="sysops-bridge"'
    return response


def field_errors(errors: dict[str, str]) -> list[dict[str, str]]:
    """The one shape of field errors in every JSON API: a list of {field, message}."""
    return [{"field": name, "message": message} for name, message in errors.items()]


def invalid_fields(errors: dict[str, str], detail: str = "the request has invalid fields") -> Problem:
    """422 naming each invalid field."""
    return Problem(422, "Unprocessable Content", detail, kind="validation", errors=field_errors(errors))


def from_problem(exc: Problem) -> Response:
    return problem_response(exc.status, exc.title, exc.detail, exc.kind, **exc.extra)


def from_http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    detail = exc.description if status != 500 else "Unexpected error; it has been logged."
    return problem_response(status, exc.name, detail or exc.name)
