"""How a person likes to be reached: read and chosen (by the customer, or by staff for them)."""
from __future__ import annotations

from ..domain.messages import Recipient
from ..domain.routing import Contact, preferences
from .ports import Recipients


class Preferences:
    def __init__(self, recipients: Recipients):
        self.recipients = recipients

    def of(self, recipient: Recipient) -> Contact:
        """As a message to them would be sent now: the addresses read from their owner's record."""
        return self.recipients.contact(recipient)

    def chosen(self, recipient: Recipient) -> Contact:
        """Their choice as this service holds it, without asking the owner of their record (the addresses
        are as last copied: not to be shown as current); someone met for the first time is read as `of`."""
        return self.recipients.known([recipient]).get(recipient.key) or self.of(recipient)

    def choose(self, recipient: Recipient, channel: str, opted_out: list[str]) -> Contact:
        """InvalidMessage (per field) for a channel or an opt-out that does not exist."""
        chosen, out = preferences(channel, opted_out)
        return self.recipients.set_preferences(recipient, chosen, out)
