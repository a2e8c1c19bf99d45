"""Sign-in through the identity service for real (ADR 0032): every process of `make run`, the accounts
part cut over as a new installation does it. People sign in at the shell's own /login (the identity
service's page, same origin), the shell asks the identity service who each session is and for each
fragment's token, a new password and an admin's "sign out everywhere" end sessions at once, and a
rollback gives sign-in back to the monolith with every password as it is now, then a cut-over takes it
again. Each test signs in accounts it made itself."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests.graph.identity_support import PASSWORD, legacy_account
from tests.support.legacy_customers import add_customers
from tests.support.local_system import System

from .conftest import StaffBrowser


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    running = System(tmp_path_factory.mktemp("front-door")).start()
    yield running
    running.stop()


def cli(system: System, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in system.env.items() if k != "SYSOPS_SESSION_KEY"}
    return subprocess.run([sys.executable, "-m", "sysops.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def signed_in(system: System, role: str = "call_centre", **ids) -> tuple[StaffBrowser, str]:
    made = legacy_account(system.env["DATABASE_URL"], role=role, **ids)
    return StaffBrowser(system.shell, made.username, PASSWORD), made.username


def test_a_person_signs_in_at_the_shell_and_works_through_every_fragment(system):
    staff, username = signed_in(system)
    cookies = staff.http.cookies
    assert cookies.get("sysops_session") and cookies.get("session") is None  # the shell keeps no session
    home = staff.http.get(f"{system.shell}/", timeout=10)
    assert home.status_code == 200 and "Test Person" in home.text
    customer, = add_customers(system.env["DATABASE_URL"], 1)
    products, slots = staff.raise_form(customer["id"])
    raised = staff.raise_ticket(customer["id"], products[0], slots[:2])
    assert raised.status_code == 201 and "received" in raised.text
    out = staff.http.post(f"{system.shell}/logout", data={"csrf_token": staff.csrf}, timeout=10, allow_redirects=False)
    assert out.status_code == 302 and "/login" in out.headers["Location"]
    assert not staff.http.cookies.get("sysops_session")
    again = staff.http.get(f"{system.shell}/fragments/ticketing/queue", timeout=10, allow_redirects=False)
    assert again.status_code == 302 and "/login" in again.headers["Location"]


def test_a_state_change_without_the_sessions_token_is_refused(system):
    staff, _ = signed_in(system)
    customer, = add_customers(system.env["DATABASE_URL"], 1)
    refused = staff.http.post(f"{system.shell}/fragments/ticketing/customers/{customer['id']}/tickets", timeout=10,
                              data={"description": "x"}, headers={"HX-Request": "true", "X-CSRF-Token": "wrong"})
    assert refused.status_code == 400


def test_a_new_password_ends_the_other_browsers_session_at_once(system):
    made = legacy_account(system.env["DATABASE_URL"])
    here, there = StaffBrowser(system.shell, made.username, PASSWORD), StaffBrowser(system.shell, made.username, PASSWORD)
    page = here.http.get(f"{system.shell}/account/password", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    changed = here.http.post(f"{system.shell}/account/password", timeout=20, allow_redirects=False, data={
        "csrf_token": token, "current": PASSWORD, "new": "a fresh password 9", "confirm": "a fresh password 9"})
    assert changed.status_code == 302 and "changed=1" in changed.headers["Location"]
    assert here.http.get(f"{system.shell}/", timeout=10, allow_redirects=False).status_code == 200
    # The other browser: at most the shell's 2 s memory of who a session is, then the sign-in page.
    assert _eventually_signed_out(system, there)


def _eventually_signed_out(system: System, browser: StaffBrowser, within_s: float = 30.0) -> bool:
    """Whether the browser's next page is the sign-in page, asked until it is (the shell remembers who a
    session is for 2 s) or `within_s` has passed."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        answer = browser.http.get(f"{system.shell}/", timeout=10, allow_redirects=False)
        if answer.status_code == 302 and "/login" in answer.headers["Location"]:
            return True
        time.sleep(0.2)
    return False


def test_an_admin_finds_an_account_and_signs_it_out_everywhere(system):
    victim, username = signed_in(system)
    admin, _ = signed_in(system, role="admin")
    page = admin.http.get(f"{system.shell}/admin/accounts", params={"q": username}, timeout=15)
    assert page.status_code == 200 and username in page.text and "1 session" in page.text
    account_id = re.search(r"/admin/accounts/(\d+)/sign-out", page.text).group(1)
    done = admin.http.post(f"{system.shell}/fragments/identity/admin/accounts/{account_id}/sign-out", timeout=15,
                           data={"csrf_token": admin.csrf, "q": username})
    assert done.status_code == 200 and f"{username} is signed out everywhere" in done.text
    assert _eventually_signed_out(system, victim)
    staff, _ = signed_in(system)  # not an admin: the page is closed to them
    assert staff.http.get(f"{system.shell}/fragments/identity/admin/accounts", timeout=15).status_code == 403


def test_with_the_identity_service_stopped_pages_say_sign_in_is_unavailable_and_come_back(system):
    staff, _ = signed_in(system)
    group = system.processes["identity"].pid
    os.killpg(group, signal.SIGSTOP)
    try:
        login = requests.get(f"{system.shell}/login", timeout=30)
        assert login.status_code == 503 and "not available" in login.text
    finally:
        os.killpg(group, signal.SIGCONT)
    assert staff.http.get(f"{system.shell}/", timeout=30).status_code == 200


def test_a_rollback_gives_sign_in_back_with_every_password_as_it_is_now_and_a_cut_over_takes_it_again(system):
    made = legacy_account(system.env["DATABASE_URL"])
    browser = StaffBrowser(system.shell, made.username, PASSWORD)  # its legacy hash upgraded at identity
    page = browser.http.get(f"{system.shell}/account/password", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    browser.http.post(f"{system.shell}/account/password", timeout=20, data={
        "csrf_token": token, "current": PASSWORD, "new": "changed at identity 1", "confirm": "changed at identity 1"})
    back = cli(system, "accounts-rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    legacy = StaffBrowser(system.shell, made.username, "changed at identity 1")  # the monolith's login now
    assert legacy.http.cookies.get("session") and not legacy.http.cookies.get("sysops_session")
    again = cli(system, "accounts-cutover")
    assert again.returncode == 0 and "0 need a person" in again.stdout, again.stdout + again.stderr
    # Once the command returns every shell worker has switched: the monolith's session means nothing at
    # once, on whichever worker a request lands, and a sign-in goes to the identity service.
    for _ in range(8):
        answer = legacy.http.get(f"{system.shell}/", timeout=10, allow_redirects=False)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    moved = StaffBrowser(system.shell, made.username, "changed at identity 1")
    assert moved.http.cookies.get("sysops_session")
