"""What the graph engine and the migration protocol can tell their callers, whatever the database.
Each service declares its own errors beside its ports; its adapters raise those."""
import functools


class StoreError(Exception):
    pass


class MigrationUnavailable(StoreError):
    """The legacy system could not be reached to migrate a record; nothing was written."""


def port_errors(store_error: type[Exception], unavailable: type[Exception] | None = None):
    """A class decorator for a service's adapter: the engine's errors out of every public method become
    the errors its port declares (`unavailable` for a legacy record that could not be migrated, else
    `store_error`), with the engine's as the cause. The use cases so never import the engine's."""
    def translated(method):
        @functools.wraps(method)
        def call(*args, **kwargs):
            try:
                return method(*args, **kwargs)
            except MigrationUnavailable as exc:
                raise (unavailable or store_error)(str(exc)) from exc
            except StoreError as exc:
                raise store_error(str(exc)) from exc

        return call

    def decorate(cls):
        for name, member in list(vars(cls).items()):
            if callable(member) and not name.startswith("_"):
                setattr(cls, name, translated(member))
        return cls

    return decorate
