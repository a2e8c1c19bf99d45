"""Configuration read from the environment at bootstrap time (never at import time)."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    host: str
    shell_port: int
    secret_key: str
    workers: int
    smtp_host: str
    smtp_port: int
    mail_from: str
    run_mail_sink: bool
    ticketing_port: int = 8101
    bridge_port: int = 8001
    experts_port: int = 8102
    reports_port: int = 8103
    ticketing_url: str = "http://127.0.0.1:8101"
    offer_timeout_seconds: int = 900
    # name -> base URL of each fragment app the shell composes (SYSOPS_FRAGMENTS="name=url,...").
    fragments: tuple[tuple[str, str], ...] = ()
    # Where people reach the shell (links in emails and text messages must be absolute).
    public_url: str = "http://127.0.0.1:8000"


def _secret_key(data_dir: Path) -> str:
    """A key from SYSOPS_SECRET_KEY, else one generated once and kept in the data dir.

    Every process of one installation must share it (sessions, and later the tokens
    between apps), so it is persisted rather than generated per process.
    """
    from_env = os.environ.get("SYSOPS_SECRET_KEY")
    if from_env:
        return from_env
    path = data_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("SYSOPS_DATA_DIR", REPO_ROOT / "var")).resolve()
    database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'legacy.db'}"
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        host=env.get("SYSOPS_HOST", "127.0.0.1"),
        shell_port=int(env.get("SYSOPS_SHELL_PORT", "8000")),
        secret_key=env.get("SYSOPS_SECRET_KEY") or _secret_key(data_dir),
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
        ticketing_url=env.get("SYSOPS_TICKETING_URL")
        or f"http://{env.get('SYSOPS_HOST', '127.0.0.1')}:{env.get('SYSOPS_TICKETING_PORT', '8101')}",
        offer_timeout_seconds=int(env.get("SYSOPS_OFFER_TIMEOUT_SECONDS", "900")),
        fragments=_fragments(env),
        public_url=(env.get("SYSOPS_PUBLIC_URL")
                    or f"http://{env.get('SYSOPS_HOST', '127.0.0.1')}:{env.get('SYSOPS_SHELL_PORT', '8000')}").rstrip("/"),
    )


def _fragments(env: dict[str, str]) -> tuple[tuple[str, str], ...]:
    host = env.get("SYSOPS_HOST", "127.0.0.1")
    default = (f"ticketing=http://{host}:{env.get('SYSOPS_TICKETING_PORT', '8101')},"
               f"experts=http://{host}:{env.get('SYSOPS_EXPERTS_PORT', '8102')},"
               f"reports=http://{host}:{env.get('SYSOPS_REPORTS_PORT', '8103')}")
    pairs = []
    for item in env.get("SYSOPS_FRAGMENTS", default).split(","):
        name, _, url = item.strip().partition("=")
        if name and url:
            pairs.append((name.strip(), url.strip().rstrip("/")))
    return tuple(pairs)
