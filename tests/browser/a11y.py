"""What every page of the browser journeys is checked for: axe-core's serious and critical violations
(tests/browser/axe.py), backed by our own checks of what axe does not measure: every control has a
label, and on a phone every tap target is at least 44 px high and nothing scrolls sideways."""
from __future__ import annotations

from .axe import axe_violations
from .conftest import settled

OWN_CHECKS = """(phone) => {
  const problems = [];
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    if (!visible(el)) continue;
    const labelled = (el.id && document.querySelector(`label[for="${el.id}"]`)) || el.closest('label')
      || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!labelled) problems.push('no label: ' + (el.name || el.outerHTML.slice(0, 60)));
  }
  if (!phone) return problems;
  for (const el of document.querySelectorAll('button, a[href], select, input:not([type=hidden]), textarea')) {
    if (!visible(el)) continue;
    const target = (el.type === 'checkbox' || el.type === 'radio') ? (el.closest('label') || el) : el;
    const r = target.getBoundingClientRect();
    if (r.height < 44) problems.push('tap target ' + Math.round(r.height) + 'px: ' +
                                     (el.textContent || el.name || el.outerHTML).trim().slice(0, 50));
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1)
    problems.push('scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + window.innerWidth);
  return problems;
}"""

# Words split across two lines inside the page's main content (hyphens and dashes may break a line;
# a word may not): each word's rectangles must sit on one line.
BROKEN_WORDS = """() => {
  const broken = [];
  const root = document.querySelector('main') || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.parentElement || !node.parentElement.getClientRects().length) continue;
    const pattern = /[^\\s\\-\\u2013\\u2014\\/]+/g;
    let match;
    while ((match = pattern.exec(node.textContent))) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom)));
      if (lines.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""


def accessibility_problems(page, phone: bool = False) -> list[str]:
    settled(page)
    return page.evaluate(OWN_CHECKS, phone) + axe_violations(page)


def broken_words(page) -> list[str]:
    settled(page)
    return page.evaluate(BROKEN_WORDS)
