"""Who may read a ticket: staff any; a customer their own; an expert one offered to or accepted by them.
The same rule goes with a first read of a legacy ticket to the monolith, which applies it to the row it
freezes, so a refused read never moves a ticket and access is decided once, on the copy that moves."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from foundation.vocabulary import STAFF_ROLES

from .ticket import Ticket


@dataclass(frozen=True)
class Reader:
    role: str
    customer_id: int | None = None
    expert_id: int | None = None

    @property
    def reads_any(self) -> bool:
        return self.role in STAFF_ROLES

    def may_read(self, ticket: Ticket) -> bool:
        return (self.reads_any or (self.role == "customer" and ticket.belongs_to(self.customer_id))
                or (self.role == "expert" and ticket.concerns_expert(self.expert_id)))

    def as_dict(self) -> dict[str, Any]:
        """As the bridge's freeze takes it (`reader`)."""
        return {"role": self.role, "customer_id": self.customer_id, "expert_id": self.expert_id}
