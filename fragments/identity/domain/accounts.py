"""A login account as the identity service holds it."""
from __future__ import annotations

from dataclasses import dataclass


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
