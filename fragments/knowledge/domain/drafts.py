"""What an article is made of, and the rules a new version must meet (for admins and experts alike)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from foundation.invalid import InvalidFields

TITLE = (3, 200)
SYMPTOMS = (10, 4000)
STEP_MAX = 500
STEPS_MAX = 30
WORDS_MAX = 20
WORD = (1, 60)


class InvalidArticle(InvalidFields): ...


@dataclass(frozen=True)
class Draft:
    title: str
    product_id: int | None
    symptoms: str
    steps: tuple[str, ...]
    tags: tuple[str, ...]
    keywords: tuple[str, ...]

    def content(self) -> dict[str, Any]:
        return {"title": self.title, "product_id": self.product_id, "symptoms": self.symptoms,
                "steps": "\n".join(self.steps), "tags": list(self.tags), "keywords": list(self.keywords)}


def _clean(value: Any) -> str:
    text = value if isinstance(value, str) else ""
    return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()


def _words(raw: Any) -> list[str]:
    """Tags or keywords as typed: a comma-separated string or a list."""
    items = raw.split(",") if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return [re.sub(r"\s+", " ", _clean(item)).lower() for item in items if isinstance(item, str) and _clean(item)]


def steps_of(text: str) -> list[str]:
    """One step per line; numbers a writer typed ("1. ", "2) ") are dropped, the list numbers them."""
    return [re.sub(r"^\d+[.)]\s*", "", line.strip()) for line in text.splitlines() if line.strip()]


def draft(fields: dict[str, Any], known_products: set[int]) -> Draft:
    """A new version from a form or a JSON body; InvalidArticle with a message per field otherwise."""
    errors: dict[str, str] = {}
    title = re.sub(r"\s+", " ", _clean(fields.get("title")))
    if not TITLE[0] <= len(title) <= TITLE[1]:
        errors["title"] = f"give a title of {TITLE[0]} to {TITLE[1]} characters"
    symptoms = _clean(fields.get("symptoms"))
    if not SYMPTOMS[0] <= len(symptoms) <= SYMPTOMS[1]:
        errors["symptoms"] = f"describe the symptoms in {SYMPTOMS[0]} to {SYMPTOMS[1]} characters"
    steps = steps_of(_clean(fields.get("steps")))
    if not steps:
        errors["steps"] = "give at least one step, one per line"
    elif len(steps) > STEPS_MAX or any(len(s) > STEP_MAX for s in steps):
        errors["steps"] = f"at most {STEPS_MAX} steps of up to {STEP_MAX} characters each"
    product_id = None
    raw_product = fields.get("product_id")
    if raw_product not in (None, ""):
        text = str(raw_product)
        if not (text.isascii() and text.isdigit() and len(text) <= 9) or int(text) not in known_products:
            errors["product_id"] = "choose a product from the list"
        else:
            product_id = int(text)
    words = {}
    for name in ("tags", "keywords"):
        values = _words(fields.get(name, []))
        if len(values) > WORDS_MAX or any(not WORD[0] <= len(v) <= WORD[1] for v in values):
            errors[name] = f"at most {WORDS_MAX} {name}, comma-separated, of up to {WORD[1]} characters each"
        words[name] = tuple(sorted(set(values)))
    if errors:
        raise InvalidArticle(errors)
    return Draft(title, product_id, symptoms, tuple(steps), words["tags"], words["keywords"])
