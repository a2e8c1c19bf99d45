"""The graph engine's errors as the ticketing ports declare them: every public method of an adapter
raises only those, so the use cases never import the engine's."""
from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

from graph_store.errors import MigrationUnavailable, StoreError

from ..services.ports import LegacyUnavailable, TicketingStoreError

T = TypeVar("T", bound=type)


def _translated(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except MigrationUnavailable as exc:
            raise LegacyUnavailable(str(exc)) from exc
        except StoreError as exc:
            raise TicketingStoreError(str(exc)) from exc

    return call


def port_errors(cls: T) -> T:
    """Class decorator: the engine's errors out of every public method become the ports' errors."""
    for name, member in list(vars(cls).items()):
        if callable(member) and not name.startswith("_"):
            setattr(cls, name, _translated(member))
    return cls
