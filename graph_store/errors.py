"""What the data-store interface can tell its callers, whatever the database behind it."""


class StoreError(Exception):
    pass


class TicketNotFound(StoreError):
    pass


class MigrationUnavailable(StoreError):
    """The legacy system could not be reached to migrate a ticket; nothing was written."""


class SlotTaken(StoreError):
    """The expert's slot is already held or booked for another ticket."""


class StaleTicket(StoreError):
    """The ticket changed since the caller read it (optimistic concurrency)."""
