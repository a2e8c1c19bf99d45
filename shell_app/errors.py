"""Error pages: every HTTP error renders the shell's error page, never a stack trace."""
from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from foundation.problems import from_http_exception

from .composition.registry import FragmentUnavailable
from .published_api import under_api_prefix

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have access to this page.",
    404: "We could not find that page or record.",
    405: "That action is not allowed here.",
    413: "What you sent is too large.",
}


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if under_api_prefix(request.path):
            return from_http_exception(exc)
        code = exc.code or 500
        # Our own refusals of input (400, 413) say what was wrong; others get the screen's wording.
        message = exc.description if code in (400, 413) and exc.description else MESSAGES.get(code, exc.name)
        return render_template("shell/error.html", code=code, title=exc.name, message=message), code

    @app.errorhandler(FragmentUnavailable)
    def sign_in_unavailable(exc: FragmentUnavailable):
        # Raised outside the fragment proxy only by the front door: the identity service did not answer.
        app.logger.warning("sign-in service unavailable: %s", exc)
        return render_template("shell/error.html", code=503, title="Sign-in not available",
                               message="Signing in is not available right now. Please try again in a minute."), 503

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        if under_api_prefix(request.path):
            return from_http_exception(InternalServerError())
        return render_template("shell/error.html", code=500, title="Something went wrong",
                               message="The error has been logged. Please try again."), 500
