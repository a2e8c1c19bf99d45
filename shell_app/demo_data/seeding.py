"""Create the legacy schema in a new database and fill it with demo data, in one call."""
from __future__ import annotations

import datetime as dt

from ..db import make_engine
from ..migrations import upgrade
from .generator import PRESETS, DemoLogin, generate


def create_and_seed(url: str, *, seed: int, preset: str = "tiny", anchor: dt.date) -> list[DemoLogin]:
    engine = make_engine(url)
    try:
        upgrade(engine)
        return generate(engine, seed=seed, scale=PRESETS[preset], anchor=anchor)
    finally:
        engine.dispose()
