"""Deterministic demo data for the legacy monolith: same seed, scale and anchor, same rows."""
from .generator import PRESETS, DemoLogin, Scale, generate
from .seeding import create_and_seed

__all__ = ["PRESETS", "DemoLogin", "Scale", "create_and_seed", "generate"]
