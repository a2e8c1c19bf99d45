"""A customer's contact details: what a valid change looks like.

The rules an agent on the phone needs to hear at once: every field says what is wrong with it, and
there must stay a way to reach the customer. How they like to be reached (email or text, which
messages) is chosen beside it, under "How we reach you" (the notifications service: ADR 0025)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from foundation.invalid import InvalidFields

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}")
PHONE_CHARS = re.compile(r"[0-9 +()\-]+")
# Postcodes by the country a locale's code starts with ("GB-LDN-N"); elsewhere letters, digits, a space or a dash.
POSTCODES = {
    "GB": (re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}"), "a UK postcode like SW1A 1AA"),
    "US": (re.compile(r"[0-9]{5}(-[0-9]{4})?"), "a ZIP code like 12345 or 12345-6789"),
}
ANY_POSTCODE = (re.compile(r"[A-Z0-9][A-Z0-9 \-]{1,8}[A-Z0-9]"), "3 to 10 letters or digits")
LIMITS = {"email": 200, "phone": 40, "address_line": 200, "city": 80, "postcode": 16}
FIELDS = ("email", "phone", "address_line", "city", "postcode")


@dataclass(frozen=True)
class Contact:
    email: str
    phone: str
    address_line: str
    city: str
    postcode: str

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FIELDS}


class InvalidContact(InvalidFields): ...


def _clean(value: object) -> str:
    return " ".join(str(value or "").replace("\x00", "").split())


def country_of(locale_code: str) -> str:
    return (locale_code or "").split("-", 1)[0].upper()


def normal_postcode(text: str, country: str) -> str:
    """Upper case, one space before the inward code for the UK ("sw1a1aa" -> "SW1A 1AA")."""
    squashed = text.upper().replace(" ", "")
    if country == "GB" and len(squashed) > 3:
        return f"{squashed[:-3]} {squashed[-3:]}"
    return text.upper()


def validate(values: dict[str, object], locale_code: str) -> Contact:
    """The contact details as given, cleaned, or InvalidContact naming each field that is wrong."""
    clean = {name: _clean(values.get(name)) for name in FIELDS}
    errors: dict[str, str] = {}
    for name, limit in LIMITS.items():
        if len(clean[name]) > limit:
            errors[name] = f"keep it under {limit} characters"
    email, phone = clean["email"], clean["phone"]
    if email and not EMAIL.fullmatch(email) and "email" not in errors:
        errors["email"] = "an email address looks like name@example.com"
    digits = re.sub(r"\D", "", phone)
    if phone and "phone" not in errors and (not PHONE_CHARS.fullmatch(phone) or not 7 <= len(digits) <= 15):
        errors["phone"] = "a phone number has 7 to 15 digits (spaces, +, - and brackets are fine)"
    if not email and not phone:
        errors["email"] = "give an email address or a phone number: we need a way to reach the customer"
    for name, what in (("address_line", "the street address"), ("city", "the town or city")):
        if not clean[name] and name not in errors:
            errors[name] = f"{what} is needed: experts visit there"
    country = country_of(locale_code)
    pattern, example = POSTCODES.get(country, ANY_POSTCODE)
    postcode = normal_postcode(clean["postcode"], country) if clean["postcode"] else ""
    if "postcode" not in errors and not pattern.fullmatch(postcode):
        errors["postcode"] = f"that cannot be right: give {example}"
    if errors:
        raise InvalidContact(errors)
    return Contact(email=email, phone=phone, address_line=clean["address_line"], city=clean["city"],
                   postcode=postcode)
