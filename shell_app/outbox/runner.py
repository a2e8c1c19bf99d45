"""The outbox worker process: `sysops outbox-worker`."""
from __future__ import annotations

import datetime as dt
import os
import signal

from foundation import request_ids
from foundation.config import Settings
from shell_app.db import make_engine, make_session_factory

from .transports import SmsLogTransport, SmtpTransport
from .worker import run_forever


def transports_for(settings: Settings) -> dict:
    return {"email": SmtpTransport(settings.smtp_host, settings.smtp_port, settings.mail_from),
            "sms": SmsLogTransport(settings.data_dir / "outbox" / "sms.log")}


def main(settings: Settings) -> int:
    request_ids.configure_logging("outbox-worker")
    stopping = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.append(True))
    engine = make_engine(settings.database_url)
    try:
        lease = dt.timedelta(seconds=float(os.environ.get("SYSOPS_OUTBOX_LEASE_SECONDS", "60")))
        run_forever(make_session_factory(engine), transports_for(settings), should_stop=lambda: bool(stopping),
                    lease=lease)
    finally:
        engine.dispose()
    return 0
