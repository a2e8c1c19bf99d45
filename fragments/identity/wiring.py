"""The composition root: the identity service's use cases built from their ports."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from foundation import exchange
from foundation.config import Settings
from foundation.keys import PublicKeys
from foundation.login_throttle import LoginThrottle
from foundation.tokens import KeptTokens, TokenSigner, TokenVerifier
from graph_store import GraphConnection
from graph_store.config import limits_storage

from .adapters.accounts import GraphAccounts
from .adapters.sessions import KeyspaceSessions
from .domain.sessions import Lifetimes
from .services.account_admin import AccountAdmin
from .services.ports import Accounts, Clock, Sessions, Throttle
from .services.sign_in import SignIn


@dataclass(frozen=True)
class IdentityService:
    sign_in: SignIn
    admin: AccountAdmin
    tokens: KeptTokens  # user tokens, each for one fragment, kept half their life
    fragments: frozenset[str]  # the fragments a token may be asked for
    exchange: exchange.Exchange
    https: bool = False


def build(accounts: Accounts, sessions: Sessions, throttle: Throttle, lifetimes: Lifetimes, signer: TokenSigner,
          public_keys: Path, fragments: frozenset[str], *, https: bool = False,
          clock: Clock | None = None) -> IdentityService:
    keys = PublicKeys(public_keys)
    verifier_for: Callable[[str], TokenVerifier] = lambda audience: TokenVerifier(audience, keys)  # noqa: E731
    sign_in = SignIn(accounts, sessions, throttle, lifetimes) if clock is None else \
        SignIn(accounts, sessions, throttle, lifetimes, clock)
    return IdentityService(sign_in, AccountAdmin(accounts, sessions), KeptTokens(signer), fragments,
                           exchange.Exchange(signer, verifier_for), https)


def on_graph(graph: GraphConnection, settings: Settings) -> IdentityService:
    """The production set: accounts in the graph (taken over from the monolith), sessions in the graph
    server's key space, the throttle's counts beside them, tokens signed with the service's own key."""
    keyspace = getattr(graph.backend, "keyspace", None)
    if keyspace is None:
        raise RuntimeError("the identity service keeps sessions in the FalkorDB server's key space; "
                           "SYSOPS_GRAPH_URL names a graph engine without one")
    storage = settings.limits_storage if settings.limits_storage != "memory://" else limits_storage(settings.data_dir)
    return build(GraphAccounts(graph.backend, graph.bridge), KeyspaceSessions(keyspace()), LoginThrottle(storage),
                 Lifetimes.of(settings.session_idle_minutes, settings.session_max_hours),
                 TokenSigner.from_folder(settings.signing_folder("identity"), "identity"), settings.public_keys,
                 frozenset(name for name, _ in settings.fragments), https=settings.https)
