"""Signing in through the identity service in a real Chromium (ADR 0032), as a call-centre agent starting
a shift: the same /login, a wrong password said plainly without saying which part was wrong, then the
legacy screens with the agent's name, a password change that keeps this browser signed in, and logging
out back to the sign-in page. The account is this test's own (a legacy one, taken over at its first
sign-in, its old hash upgraded there)."""
from __future__ import annotations

from playwright.sync_api import expect

from ..graph.identity_support import PASSWORD, legacy_account
from .a11y import accessibility_problems
from .conftest import settled


def test_an_agent_signs_in_changes_their_password_and_logs_out(system, page):
    made = legacy_account(system.env["DATABASE_URL"])
    page.goto(f"{system.shell}/login")
    settled(page)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert accessibility_problems(page) == []
    page.get_by_label("Username").fill(made.username)
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Invalid username or password.")
    expect(page.get_by_label("Username")).to_have_value(made.username)  # kept, the password not
    expect(page.get_by_label("Password")).to_have_value("")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{system.shell}/")
    settled(page)
    expect(page.locator("body")).to_contain_text("Test Person")
    page.goto(f"{system.shell}/account/password")
    settled(page)
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password (at least 10 characters)").fill("my own new pass 1")
    page.get_by_label("New password again").fill("my own new pass 1")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    page.goto(f"{system.shell}/")  # still signed in here, with the new session the change gave this browser
    settled(page)
    expect(page.locator("body")).to_contain_text("Test Person")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
