"""Deterministic demo data for the legacy monolith: same seed, scale and anchor, same rows."""
from .generator import PRESETS, DemoLogin, Scale, generate

__all__ = ["PRESETS", "DemoLogin", "Scale", "generate"]
