"""How a person likes to be reached: read and chosen (by the customer, or by staff for them)."""
from __future__ import annotations

from ..domain.messages import Recipient
from ..domain.routing import Contact, preferences
from .ports import Recipients


class Preferences:
    def __init__(self, recipients: Recipients):
        self.recipients = recipients

    def of(self, recipient: Recipient) -> Contact:
        return self.recipients.contact(recipient)

    def choose(self, recipient: Recipient, channel: str, opted_out: list[str]) -> Contact:
        """InvalidMessage (per field) for a channel or an opt-out that does not exist."""
        chosen, out = preferences(channel, opted_out)
        return self.recipients.set_preferences(recipient, chosen, out)
