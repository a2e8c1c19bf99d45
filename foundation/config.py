"""Configuration read from the environment at bootstrap time (never at import time)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import keys

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    host: str
    shell_port: int
    # The installation's keys (foundation.keys): every service's private folder and the public set.
    # None in a confined process, which is given only its own folder and the public file.
    keys_dir: Path | None
    # The public key set every verifier reads (SYSOPS_PUBLIC_KEYS, default <keys_dir>/public.json).
    public_keys: Path
    workers: int
    smtp_host: str
    smtp_port: int
    mail_from: str
    run_mail_sink: bool
    ticketing_port: int = 8101
    bridge_port: int = 8001
    experts_port: int = 8102
    reports_port: int = 8103
    knowledge_port: int = 8104
    # When visits' reminders go: the day before (from), and on the morning of the visit (from).
    reminder_day_before_at: str = "18:00"
    reminder_morning_at: str = "07:00"
    # When reminders and surveys wait ("21:00-07:00"; "none": never).
    quiet_hours: str = "21:00-07:00"
    notifications_port: int = 8105
    # Where the services hand their messages (the notifications service; SYSOPS_NOTIFICATIONS_URL).
    notifications_url: str = "http://127.0.0.1:8105"
    # An SMS gateway's HTTP API and key; unset: the local sink (data_dir/sms/texts.jsonl).
    sms_gateway_url: str = ""
    sms_gateway_key: str = ""
    # What the gateway's delivery reports (POST /receipts/sms on the notifications service) carry.
    sms_receipt_key: str = ""
    ticketing_url: str = "http://127.0.0.1:8101"
    customers_port: int = 8106
    # Where the services read customers, contracts and the catalogue when the graph does not hold them yet.
    customers_url: str = "http://127.0.0.1:8106"
    # The identity service: accounts, sign-in, user tokens (docs/adr/0032).
    identity_port: int = 8107
    offer_timeout_seconds: int = 900
    # name -> base URL of each fragment app the shell composes (SYSOPS_FRAGMENTS="name=url,...").
    fragments: tuple[tuple[str, str], ...] = ()
    # Where a fragment trades a user's token for one to call another fragment as that user (ADR 0031):
    # the issuer of user tokens, the shell's own port today (SYSOPS_TOKEN_EXCHANGE_URL).
    token_exchange_url: str = "http://127.0.0.1:8000/tokens/v1/exchange"
    # Where people reach the shell (links in emails and text messages must be absolute).
    public_url: str = "http://127.0.0.1:8000"
    # Behind HTTPS (nginx with TLS): session cookies get the Secure flag.
    https: bool = False
    # Shared store of the login throttle's counters (limits storage URI); memory:// is per process.
    limits_storage: str = "memory://"
    # Signed-in sessions end after this long without a request, and after this long in any case.
    session_idle_minutes: int = 120
    session_max_hours: float = 12.0
    # This process's own private key folder (SYSOPS_OWN_KEYS), given to every process but the monolith.
    own_keys: Path | None = None
    # The bearer token a Prometheus scraper sends to /metrics (SYSOPS_METRICS_TOKEN); none: /metrics is off.
    metrics_token: str | None = None
    # How long the shell holds a legacy page's first paint for its fragments (then they load after it).
    first_paint_budget_ms: int = 400
    # Which app answers at the shell's port: "monolith" (its screens, fragments embedded: the migration's
    # front door) or "shell" (the composition shell that holds no data, ADR 0033).
    front_door: str = "monolith"
    # Whether the monolith still runs (SYSOPS_MONOLITH): "migrating" (it runs beside the services, which
    # take its parts over) or "retired" (every part moved: its processes and its database are not run,
    # and the services' bridge client answers for it, ADR 0036).
    monolith: str = "migrating"
    # Retired but not decommissioned yet (ADR 0039): its bridge alone keeps answering old readers so that
    # any still calling show up in its request counts (SYSOPS_WATCH_BRIDGE=1). Ignored once decommissioned.
    watch_bridge: bool = False
    # Once decommissioned (the launcher reads the graph's record; SYSOPS_DECOMMISSIONED_AT for the systemd
    # units): what answers at the bridge's address is the tombstone saying 410 Gone (bridge_api/gone.py).
    decommissioned_at: str | None = None

    def signing_folder(self, service: str) -> Path:
        """Where `service`'s signing key is: the process's own folder when it is confined (whatever name
        it asks for: it has no other), else that service's folder in the installation's keys."""
        if self.own_keys is not None:
            return self.own_keys
        if self.keys_dir is None:
            raise keys.KeyMissing("neither SYSOPS_OWN_KEYS nor SYSOPS_KEYS_DIR says where the signing key is")
        return keys.own_folder(self.keys_dir, service)


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("SYSOPS_DATA_DIR", REPO_ROOT / "var")).resolve()
    database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'legacy.db'}"
    # A process given its own key folder is confined to it: it is not told where the others are.
    keys_dir = None if env.get("SYSOPS_OWN_KEYS") and not env.get("SYSOPS_KEYS_DIR") else Path(
        env.get("SYSOPS_KEYS_DIR") or data_dir / "keys").resolve()
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        host=env.get("SYSOPS_HOST", "127.0.0.1"),
        shell_port=int(env.get("SYSOPS_SHELL_PORT", "8000")),
        keys_dir=keys_dir,
        public_keys=Path(env.get("SYSOPS_PUBLIC_KEYS") or keys.public_file(keys_dir or data_dir / "keys")).resolve(),
        own_keys=Path(env["SYSOPS_OWN_KEYS"]).resolve() if env.get("SYSOPS_OWN_KEYS") else None,
        metrics_token=env.get("SYSOPS_METRICS_TOKEN") or None,
        workers=int(env.get("SYSOPS_WORKERS", "2")),
        smtp_host=env.get("SYSOPS_SMTP_HOST", "127.0.0.1"),
        smtp_port=int(env.get("SYSOPS_SMTP_PORT", "8025")),
        mail_from=env.get("SYSOPS_MAIL_FROM", "Sysops Squad <no-reply@sysops-squad.example>"),
        # Without an SMTP server of its own, `sysops run` starts a local sink that keeps mail in data_dir/mail.
        run_mail_sink="SYSOPS_SMTP_HOST" not in env,
        ticketing_port=int(env.get("SYSOPS_TICKETING_PORT", "8101")),
        bridge_port=int(env.get("SYSOPS_BRIDGE_PORT", "8001")),
        experts_port=int(env.get("SYSOPS_EXPERTS_PORT", "8102")),
        reports_port=int(env.get("SYSOPS_REPORTS_PORT", "8103")),
        knowledge_port=int(env.get("SYSOPS_KNOWLEDGE_PORT", "8104")),
        notifications_port=int(env.get("SYSOPS_NOTIFICATIONS_PORT", "8105")),
        quiet_hours=env.get("SYSOPS_QUIET_HOURS", "21:00-07:00"),
        reminder_day_before_at=env.get("SYSOPS_REMINDER_DAY_BEFORE_AT", "18:00"),
        reminder_morning_at=env.get("SYSOPS_REMINDER_MORNING_AT", "07:00"),
        notifications_url=env.get("SYSOPS_NOTIFICATIONS_URL")
        or f"http://{env.get('SYSOPS_HOST', '127.0.0.1')}:{env.get('SYSOPS_NOTIFICATIONS_PORT', '8105')}",
        sms_gateway_url=env.get("SYSOPS_SMS_GATEWAY_URL", ""),
        sms_gateway_key=env.get("SYSOPS_SMS_GATEWAY_KEY", ""),
        sms_receipt_key=env.get("SYSOPS_SMS_RECEIPT_KEY", ""),
        ticketing_url=env.get("SYSOPS_TICKETING_URL")
        or f"http://{env.get('SYSOPS_HOST', '127.0.0.1')}:{env.get('SYSOPS_TICKETING_PORT', '8101')}",
        customers_port=int(env.get("SYSOPS_CUSTOMERS_PORT", "8106")),
        identity_port=int(env.get("SYSOPS_IDENTITY_PORT", "8107")),
        customers_url=env.get("SYSOPS_CUSTOMERS_URL")
        or f"http://{env.get('SYSOPS_HOST', '127.0.0.1')}:{env.get('SYSOPS_CUSTOMERS_PORT', '8106')}",
        offer_timeout_seconds=int(env.get("SYSOPS_OFFER_TIMEOUT_SECONDS", "900")),
        fragments=_fragments(env),
        https=env.get("SYSOPS_HTTPS", "").lower() in ("1", "true", "yes") or env.get(
            "SYSOPS_PUBLIC_URL", "").startswith("https://"),
        limits_storage=env.get("SYSOPS_LIMITS_STORAGE", "memory://"),
        session_idle_minutes=int(env.get("SYSOPS_SESSION_IDLE_MINUTES", "120")),
        session_max_hours=float(env.get("SYSOPS_SESSION_MAX_HOURS", "12")),
        first_paint_budget_ms=int(env.get("SYSOPS_FIRST_PAINT_BUDGET_MS", "400")),
        front_door=_front_door(env),
        monolith=_monolith(env),
        watch_bridge=env.get("SYSOPS_WATCH_BRIDGE", "").lower() in ("1", "true", "yes", "on"),
        decommissioned_at=env.get("SYSOPS_DECOMMISSIONED_AT") or None,
        token_exchange_url=env.get("SYSOPS_TOKEN_EXCHANGE_URL") or _exchange_url(env),
        public_url=(env.get("SYSOPS_PUBLIC_URL")
                    or f"http://{env.get('SYSOPS_HOST', '127.0.0.1')}:{env.get('SYSOPS_SHELL_PORT', '8000')}").rstrip("/"),
    )


FRONT_DOORS = ("monolith", "shell")
MONOLITH_MODES = ("migrating", "retired")


def _monolith(env: dict[str, str]) -> str:
    chosen = env.get("SYSOPS_MONOLITH", "").strip().lower() or "migrating"
    if chosen not in MONOLITH_MODES:
        raise ValueError(f"SYSOPS_MONOLITH must be one of {', '.join(MONOLITH_MODES)}, not {chosen!r}")
    return chosen


def _front_door(env: dict[str, str]) -> str:
    """The monolith's screens by default while it runs; the composition shell once it is retired (the
    only front door there is then)."""
    retired = _monolith(env) == "retired"
    chosen = env.get("SYSOPS_FRONT_DOOR", "").strip().lower() or ("shell" if retired else "monolith")
    if chosen not in FRONT_DOORS:
        raise ValueError(f"SYSOPS_FRONT_DOOR must be one of {', '.join(FRONT_DOORS)}, not {chosen!r}")
    if retired and chosen == "monolith":
        raise ValueError("SYSOPS_FRONT_DOOR=monolith needs the monolith: it is retired (SYSOPS_MONOLITH=retired)")
    return chosen


def _exchange_url(env: dict[str, str]) -> str:
    """The token exchange answers where user tokens are issued: the identity service's own port wherever
    it is installed (it trades the monolith's user tokens too, signing with its own key: ADR 0035), else
    the monolith's."""
    host = env.get("SYSOPS_HOST", "127.0.0.1")
    with_identity = "identity" in dict(_fragments(env)) or _front_door(env) == "shell"
    port = env.get("SYSOPS_IDENTITY_PORT", "8107") if with_identity else env.get("SYSOPS_SHELL_PORT", "8000")
    return f"http://{host}:{port}/tokens/v1/exchange"


def _fragments(env: dict[str, str]) -> tuple[tuple[str, str], ...]:
    host = env.get("SYSOPS_HOST", "127.0.0.1")
    default = (f"ticketing=http://{host}:{env.get('SYSOPS_TICKETING_PORT', '8101')},"
               f"experts=http://{host}:{env.get('SYSOPS_EXPERTS_PORT', '8102')},"
               f"reports=http://{host}:{env.get('SYSOPS_REPORTS_PORT', '8103')},"
               f"knowledge=http://{host}:{env.get('SYSOPS_KNOWLEDGE_PORT', '8104')},"
               f"notifications=http://{host}:{env.get('SYSOPS_NOTIFICATIONS_PORT', '8105')},"
               f"customers=http://{host}:{env.get('SYSOPS_CUSTOMERS_PORT', '8106')},"
               f"identity=http://{host}:{env.get('SYSOPS_IDENTITY_PORT', '8107')}")
    pairs = []
    for item in env.get("SYSOPS_FRAGMENTS", default).split(","):
        name, _, url = item.strip().partition("=")
        if name and url:
            pairs.append((name.strip(), url.strip().rstrip("/")))
    return tuple(pairs)
