"""The composition root: the identity service's use cases built from their ports."""
from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from foundation import exchange
from foundation.config import Settings
from foundation.login_throttle import LoginThrottle
from foundation.tokens import KeptTokens, TokenSigner
from graph_store import GraphConnection
from graph_store.config import limits_storage

from .adapters.accounts import GraphAccounts
from .adapters.directory import PublishedDirectory
from .adapters.links import KeyspaceLinks
from .adapters.notifications_http import NotificationsHttp
from .adapters.sessions import KeyspaceSessions
from .domain.sessions import Lifetimes
from .services.account_admin import AccountAdmin
from .services.password_reset import PasswordReset
from .services.ports import Accounts, Directory, Messenger, Resets, Sessions, Throttle
from .services.sign_in import SignIn


@dataclass(frozen=True)
class IdentityService:
    sign_in: SignIn
    admin: AccountAdmin
    reset: PasswordReset
    tokens: KeptTokens  # user tokens, each for one fragment, kept half their life
    fragments: frozenset[str]  # the fragments a token may be asked for
    exchange: exchange.Exchange
    https: bool = False


@dataclass(frozen=True)
class Reach:
    """How the service reaches people: its password links' store, who may be linked, the messenger, the
    address links start with, and where a requested link is sent from (not the asker's request)."""

    links: Resets
    directory: Directory
    messenger: Messenger
    public_url: str
    background: Executor


def build(accounts: Accounts, sessions: Sessions, throttle: Throttle, lifetimes: Lifetimes, signer: TokenSigner,
          public_keys: Path, fragments: frozenset[str], reach: Reach, *, https: bool = False) -> IdentityService:
    sign_in = SignIn(accounts, sessions, throttle, lifetimes)
    admin = AccountAdmin(accounts, sessions, reach.links, reach.directory, reach.messenger, reach.public_url)
    return IdentityService(sign_in, admin, PasswordReset(accounts, reach.links, throttle, sign_in, admin, reach.background),
                           KeptTokens(signer), fragments, exchange.Exchange.over_keys(signer, public_keys), https)


def on_graph(graph: GraphConnection, settings: Settings) -> IdentityService:
    """The production set: accounts in the graph (taken over from the monolith), sessions in the graph
    server's key space, the throttle's counts beside them, tokens signed with the service's own key."""
    keyspace = getattr(graph.backend, "keyspace", None)
    if keyspace is None:
        raise RuntimeError("the identity service keeps sessions in the FalkorDB server's key space; "
                           "SYSOPS_GRAPH_URL names a graph engine without one")
    signer = TokenSigner.from_folder(settings.signing_folder("identity"), "identity")
    reach = Reach(KeyspaceLinks(keyspace()), PublishedDirectory(graph.backend),
                  NotificationsHttp(settings.notifications_url, signer.service_token("fragment:notifications")),
                  settings.public_url, ThreadPoolExecutor(2, thread_name_prefix="password-links"))
    return build(GraphAccounts(graph.backend, graph.bridge), KeyspaceSessions(keyspace()),
                 LoginThrottle(limits_storage(settings.data_dir)),
                 Lifetimes.of(settings.session_idle_minutes, settings.session_max_hours), signer, settings.public_keys,
                 frozenset(name for name, _ in settings.fragments), reach, https=settings.https)
