"""What is wrong with what a person or a service sent, field by field: the one shape every service's
rules raise (a form re-renders with each message beside its field; an API answers 422 naming them)."""
from __future__ import annotations


class InvalidFields(ValueError):
    """`errors` maps each field to what is wrong with it; nothing was stored."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
