"""Named crash points for fault-injection tests of the migration.

`SYSOPS_CRASH_AT=<name>` makes the process kill itself with SIGKILL when it reaches that point,
exactly like a machine losing power there. Unset (always, outside those tests), it does nothing.
"""
from __future__ import annotations

import os
import signal


def crash_point(name: str) -> None:
    if os.environ.get("SYSOPS_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
