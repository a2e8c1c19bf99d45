"""What the graph engine and the migration protocol can tell their callers, whatever the database.
Each service declares its own errors beside its ports; its adapters raise those."""


class StoreError(Exception):
    pass


class MigrationUnavailable(StoreError):
    """The legacy system could not be reached to migrate a record; nothing was written."""
