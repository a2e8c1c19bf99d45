"""The composition root: the identity service's use cases built from their ports."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from foundation import exchange
from foundation.config import Settings
from foundation.login_throttle import LoginThrottle
from foundation.tokens import KeptTokens, TokenSigner
from graph_store import GraphConnection
from graph_store.config import limits_storage

from .adapters.accounts import GraphAccounts
from .adapters.sessions import KeyspaceSessions
from .domain.sessions import Lifetimes
from .services.account_admin import AccountAdmin
from .services.ports import Accounts, Sessions, Throttle
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
          public_keys: Path, fragments: frozenset[str], *, https: bool = False) -> IdentityService:
    return IdentityService(SignIn(accounts, sessions, throttle, lifetimes), AccountAdmin(accounts, sessions),
                           KeptTokens(signer), fragments, exchange.Exchange.over_keys(signer, public_keys), https)


def on_graph(graph: GraphConnection, settings: Settings) -> IdentityService:
    """The production set: accounts in the graph (taken over from the monolith), sessions in the graph
    server's key space, the throttle's counts beside them, tokens signed with the service's own key."""
    keyspace = getattr(graph.backend, "keyspace", None)
    if keyspace is None:
        raise RuntimeError("the identity service keeps sessions in the FalkorDB server's key space; "
                           "SYSOPS_GRAPH_URL names a graph engine without one")
    return build(GraphAccounts(graph.backend, graph.bridge), KeyspaceSessions(keyspace()),
                 LoginThrottle(limits_storage(settings.data_dir)),
                 Lifetimes.of(settings.session_idle_minutes, settings.session_max_hours),
                 TokenSigner.from_folder(settings.signing_folder("identity"), "identity"), settings.public_keys,
                 frozenset(name for name, _ in settings.fragments), https=settings.https)
