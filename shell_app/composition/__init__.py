"""How the legacy shell embeds fragment apps: a registry of fragments read from their manifests,
a same-origin reverse proxy at /fragments/<name>/..., and fallbacks when a fragment cannot answer.

Adding a fragment: run its app, add `name=url` to SYSOPS_FRAGMENTS, and put
`fragment_slot('name', 'slot', ...)` in a shell template. See README "Composition".
"""
from .registry import FragmentRegistry, registry

__all__ = ["FragmentRegistry", "registry"]
