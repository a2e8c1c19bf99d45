"""The monolith's knowledge-base article as the bridge's v1 publishes it: one free-text body. How that
body reads as symptoms and steps is part of the published format, so every reader splits it alike."""
from __future__ import annotations

import re
from typing import Any

from .handover import record_checksum

STEP = re.compile(r"^\s*\d+[.)]\s*")  # a numbered line: "1." or "2)"


def split_body(body: str) -> tuple[str, str]:
    """A legacy article's one body as symptoms and steps: "Symptom:" lines are symptoms, numbered lines
    steps (numbers off); other prose joins the symptoms when the article numbers its steps, and is the
    steps (a line each) when it does not: an article without numbered steps is still read to fix."""
    symptoms, steps, prose = [], [], []
    for line in (body or "").splitlines():
        text = line.strip()
        if not text:
            continue
        if STEP.match(text):
            steps.append(STEP.sub("", text).strip())
        elif text.startswith("Symptom:"):
            symptoms.append(text.removeprefix("Symptom:").strip())
        else:
            prose.append(text)
    if steps:
        symptoms += prose
    else:
        steps = prose
    return " ".join(symptoms), "\n".join(steps)



CONTENT = ("id", "title", "body", "product_id", "tags", "keywords")


def article_checksum(article: dict[str, Any]) -> str:
    """What reconciliation compares of an article: its content as the bridge publishes it (tags and
    keywords in order), whichever side computes it."""
    return record_checksum({"id": article.get("id"), "title": article.get("title"), "body": article.get("body"),
                            "product_id": article.get("product_id"), "tags": sorted(article.get("tags") or []),
                            "keywords": sorted(article.get("keywords") or [])})
