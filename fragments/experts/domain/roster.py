"""What an admin gives to take on a new expert: name and contact details (how offers reach them), the
products they fix, the locales they serve and the half-days they work."""
from __future__ import annotations

import re
from typing import Any

from foundation.invalid import InvalidFields

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class InvalidExpert(InvalidFields): ...


def contact_from_form(values: dict[str, Any]) -> dict[str, str]:
    """Names, email and phone (digits kept as typed, with a leading + allowed), or InvalidExpert."""
    errors: dict[str, str] = {}
    contact = {name: " ".join(str(values.get(name) or "").split()) for name in
               ("first_name", "last_name", "email", "phone")}
    for name, label in (("first_name", "A first name"), ("last_name", "A last name")):
        if not contact[name]:
            errors[name] = f"{label} is needed"
        elif len(contact[name]) > 80:
            errors[name] = f"{label} fits in 80 characters"
    if not EMAIL.fullmatch(contact["email"]) or len(contact["email"]) > 200:
        errors["email"] = "an email address like name@example.com"
    digits = re.sub(r"[\s()-]", "", contact["phone"])
    if not re.fullmatch(r"\+?\d{7,15}", digits):
        errors["phone"] = "a mobile number of 7 to 15 digits: offers are texted to it"
    if errors:
        raise InvalidExpert(errors)
    return contact
