"""axe-core (the npm package pinned in tests/browser/axe/package.json, installed by `make test`) run in
the page under test: the WCAG 2.1 A/AA rules and best practices, as the page stands after its styles
and scripts have settled. Serious and critical violations fail the journey."""
from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                     targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""


def axe_violations(page, impacts: tuple[str, ...] = BLOCKING) -> list[str]:
    """The page's violations of these impacts, one line each: rule, what it asks, where (up to 5 nodes)."""
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: `make test` installs it (scripts/install-test-prereqs.sh)")
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        # Evaluated by the browser's debugging protocol, as the page's CSP (no inline scripts) allows;
        # a <script> tag would be refused by it, rightly.
        page.evaluate(_source() + "\n;undefined")
    found = page.evaluate(RUN)
    return [f"{v['impact']} {v['id']}: {v['help']} at {v['targets']}" for v in found if v["impact"] in impacts]


_cache: dict[str, str] = {}


def _source() -> str:
    if "axe" not in _cache:
        _cache["axe"] = AXE.read_text()
    return _cache["axe"]
