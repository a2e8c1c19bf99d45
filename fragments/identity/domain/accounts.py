"""A login account as the identity service holds it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from foundation.invalid import InvalidFields
from foundation.vocabulary import ROLES


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    password_hash: str
    role: str
    display_name: str
    customer_id: int | None
    expert_id: int | None
    active: bool


# What an admin may name an account: letters, digits, dot, dash and underscore, as the monolith's were.
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,79}")
MAX_DISPLAY_NAME = 160
LINKED = {"customer": "customer_id", "expert": "expert_id"}  # the role whose account is someone's: the link it needs


class InvalidAccount(InvalidFields):
    """What is wrong with an account form, by field; nothing was stored."""


@dataclass(frozen=True)
class AccountDraft:
    """An account as an admin sets it: who it is for and what it may do (its password is the person's)."""

    username: str
    display_name: str
    role: str
    customer_id: int | None
    expert_id: int | None


def _positive_id(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 10 and int(raw) > 0 else None


def draft_from(form: Mapping[str, str], *, username: str | None = None) -> AccountDraft:
    """The account a form describes (`username` given: an existing account's, not changed by the form);
    InvalidAccount naming every field that is wrong. A customer's account is linked to their customer
    number, an expert's to their expert number, a staff account to neither."""
    errors: dict[str, str] = {}
    name = username if username is not None else (form.get("username") or "").strip().lower()
    if username is None and not USERNAME.fullmatch(name):
        errors["username"] = "3 to 80 letters, digits, dots, dashes or underscores, starting with a letter or digit"
    display = " ".join((form.get("display_name") or "").split())
    if not display or len(display) > MAX_DISPLAY_NAME or not display.isprintable():
        errors["display_name"] = f"the person's name, 1 to {MAX_DISPLAY_NAME} characters"
    role = (form.get("role") or "").strip()
    if role not in ROLES:
        errors["role"] = "choose a role"
    links: dict[str, int | None] = {}
    for field in ("customer_id", "expert_id"):
        raw = form.get(field) or ""
        links[field] = _positive_id(raw)
        needed = LINKED.get(role) == field
        if needed and links[field] is None:
            errors[field] = "the number of the " + field.split("_")[0] + " this account is for"
        elif not needed and raw.strip():
            errors[field] = f"only {'a customer' if field == 'customer_id' else 'an expert'}'s account is linked to one"
    if errors:
        raise InvalidAccount(errors)
    return AccountDraft(name, display, role, links["customer_id"], links["expert_id"])
