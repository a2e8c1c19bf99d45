"""Managers only: the dashboard for a date range, and each of its tables as CSV."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, render_template, request

from fragments.kit.auth import allow
from fragments.kit.bootstrap import services

from ..domain.period import PeriodError, parse_period
from ..services.reports import Reports

bp = Blueprint("views", __name__)
MANAGERS = ("manager",)


def _reports() -> Reports:
    return services(Reports)


def _period():
    return parse_period(request.args.get("from"), request.args.get("to"), _reports().clock().date())


@bp.get("/")
@allow(roles=MANAGERS)
def dashboard():
    try:
        period = _period()
    except PeriodError as error:
        default = parse_period(None, None, _reports().clock().date())
        return _screen(default, str(error), {"from": request.args.get("from", ""), "to": request.args.get("to", "")}, 422)
    return _screen(period, "", {"from": period.first.isoformat(), "to": period.last.isoformat()}, 200)


def _screen(period, error: str, form: dict[str, str], status: int):
    data = _reports().screen(period)
    if data["pending"]:  # a first build still running: the page says so and asks again by itself
        return render_template("reports/computing.html", period=period, began=data["as_of"], error=error, form=form), status
    return render_template("reports/dashboard.html", **data, error=error, form=form), status


@bp.get("/reconciliation")
@allow(roles=MANAGERS)
def reconciliation():
    return render_template("reports/reconciliation.html", run=_reports().reconciliation())


@bp.get("/export/<name>.csv")
@allow(roles=MANAGERS)
def export(name: str):
    try:
        period = _period()
    except PeriodError as error:
        abort(400, description=str(error))
    table = _reports().table(period, name)  # only what this table needs, not the whole screen
    if table is None:
        abort(404)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table["columns"])
    for row in table["rows"]:
        writer.writerow([_safe_cell(v) for v in row])
    filename = f"{name}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _safe_cell(value):
    """Spreadsheets run cells starting with = + - @ as formulas: quote them (CSV injection)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _number(text) else value


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
