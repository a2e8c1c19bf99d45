"""Public holidays by area (version 1): the days a plan's working calendar leaves out, as other services
read them. The United Kingdom's bank holidays differ by nation; a locale's `region` says which applies
(Scotland, Northern Ireland; every other region follows England and Wales). Dates as published by the
UK government for 2026 and 2027, substitute days included."""
from __future__ import annotations

ENGLAND_AND_WALES = (
    "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28",
    "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28",
)
SCOTLAND = (
    "2026-01-01", "2026-01-02", "2026-04-03", "2026-05-04", "2026-05-25", "2026-08-03", "2026-11-30", "2026-12-25",
    "2026-12-28",
    "2027-01-01", "2027-01-04", "2027-03-26", "2027-05-03", "2027-05-31", "2027-08-02", "2027-11-30", "2027-12-27",
    "2027-12-28",
)
NORTHERN_IRELAND = (
    "2026-01-01", "2026-03-17", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-07-13", "2026-08-31",
    "2026-12-25", "2026-12-28",
    "2027-01-01", "2027-03-17", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-07-12", "2027-08-30",
    "2027-12-27", "2027-12-28",
)
BY_REGION = {"Scotland": SCOTLAND, "Northern Ireland": NORTHERN_IRELAND}


def public_holidays(region: str | None) -> list[str]:
    """The public holidays (ISO dates) of a locale's region."""
    return list(BY_REGION.get(region or "", ENGLAND_AND_WALES))
