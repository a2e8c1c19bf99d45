"""The accessibility checks themselves can fail: each finds what it is for on a page made to have it."""
from __future__ import annotations

from .a11y import accessibility_problems, broken_words
from .axe import axe_violations

FLAWED = """<!doctype html><html lang="en"><head><title>flawed</title></head><body><main>
<button></button><img src="x.png"><p style="color:#eee;background:#fff">faint</p>
<input name="unlabelled"><a href="#" style="font-size:8px">tiny</a>
</main></body></html>"""


def test_axe_and_our_checks_report_a_flawed_page(browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_content(FLAWED)
    found = axe_violations(page)
    assert {line.split(":")[0] for line in found} >= {"critical button-name", "critical image-alt",
                                                      "serious color-contrast"}
    problems = accessibility_problems(page, phone=True)
    assert "no label: unlabelled" in problems and any(p.startswith("tap target") for p in problems)
    page.close()


def test_a_word_split_across_lines_is_reported(browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_content('<html lang="en"><body><main><p style="width:60px;overflow-wrap:anywhere">'
                     'Reference N-100000123 at 08:00</p><p style="width:60px">whole words only</p>'
                     '</main></body></html>')
    assert "N-100000123" not in broken_words(page)  # it breaks at the hyphen: allowed
    assert "100000123" in broken_words(page) and "Reference" in broken_words(page)
    page.close()
