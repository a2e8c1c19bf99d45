"""The Python client every fragment uses to reach the monolith through the bridge.

`BridgeClient` is the interface; `HttpBridgeClient` speaks HTTP with one pooled session,
connect/read time-outs, and retries with back-off on idempotent calls only (GETs, and
notification enqueues, which carry an idempotency key). `FakeBridgeClient` (tests/support/fake_bridge.py)
implements the same interface in memory for fast service-layer tests.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any, Callable, Iterator, Protocol

import requests
from requests.adapters import HTTPAdapter

from foundation.request_ids import forwarded

# Where the bridge is published inside the monolith; the server mounts itself at the path its clients call.
PREFIX = "/bridge/v1"


class BridgeError(Exception):
    def __init__(self, message: str, status: int | None = None, problem: dict | None = None):
        super().__init__(message)
        self.status, self.problem = status, problem or {}


class Unauthorized(BridgeError): ...


class Forbidden(BridgeError): ...


class NotFound(BridgeError): ...


class Conflict(BridgeError): ...


class InvalidRequest(BridgeError): ...


class Unavailable(BridgeError):
    """The bridge could not be reached or answered 5xx (after retries, for idempotent calls)."""


# Ids per batch GET: 200 ids of up to ten digits, comma-encoded, stay far below a 4 KiB request line.
BATCH_GET_IDS = 200
BATCH_POST_IDS = 500  # the bridge's limit for a list of ids in a body
BATCH_ITEMS = 100  # the bridge's limit for notifications or staff alerts in one body
# After a time-out, calls fail at once until the bridge answers again: asked in the background (its
# /healthz, every PROBE_S), never by a caller waiting a time-out on someone's request.
PROBE_S = 1.0
PROBE_TIMEOUT_S = 2.0


def notification_request(*, idempotency_key: str, channel: str, recipient_kind: str, recipient_id: int, subject: str,
            body: str) -> dict:
    """A notification as the bridge takes it (alone or in a batch)."""
    return {"idempotency_key": idempotency_key, "channel": channel, "subject": subject, "body": body,
            "recipient": {"kind": recipient_kind, "id": recipient_id}}


def staff_alert(kind: str, message: str, ticket_reference: str | None = None) -> dict:
    return {"kind": kind, "message": message, "ticket_reference": ticket_reference}

_BY_STATUS = {401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict}


class BridgeClient(Protocol):
    def get_customer(self, customer_id: int) -> dict: ...
    def customer_contracts(self, customer_id: int) -> list[dict]: ...
    def coverage(self, customer_id: int, product_id: int, on: dt.date | None = None) -> dict: ...
    def products(self) -> list[dict]: ...
    def locales(self) -> list[dict]: ...
    def experts(self, product_id: int | None = None, locale_id: int | None = None) -> Iterator[dict]: ...
    def get_expert(self, expert_id: int) -> dict: ...
    def legacy_ticket_ids(self, migrated: str = "any", page_size: int = 500,
                          statuses: tuple[str, ...] = ()) -> Iterator[int]: ...
    def get_legacy_ticket(self, ticket_id: int) -> dict: ...
    def mark_migrated(self, ticket_id: int) -> dict: ...
    def legacy_stats(self) -> dict: ...
    def get_legacy_tickets(self, ticket_ids: list[int]) -> list[dict]: ...
    def mark_migrated_many(self, ticket_ids: list[int]) -> list[dict]: ...
    def legacy_checksums(self, page_size: int = 500) -> Iterator[dict]: ...
    # With a `reader` ({role, customer_id, expert_id}): only the tickets that reader may read are frozen
    # and returned (staff any; a customer their own; an expert those assigned to them).
    def freeze_legacy_tickets(self, ticket_ids: list[int], reader: dict | None = None) -> list[dict]: ...
    def legacy_commitments(self, slots: list[str] = (), expert_id: int | None = None) -> list[int]: ...
    def legacy_report_rows(self, start: str, end: str) -> list[list]: ...
    def legacy_report_now(self, now: str) -> dict: ...
    def write_back(self, tickets: list[dict]) -> list[int]: ...
    def notify(self, *, idempotency_key: str, channel: str, recipient_kind: str, recipient_id: int,
               subject: str, body: str) -> dict: ...
    # One outcome per message, in order: {"status": 202|200, "notification"} or {"status": 409|422, "problem"}.
    def notify_many(self, messages: list[dict]) -> list[dict]: ...
    def notification(self, notification_id: int) -> dict: ...
    def search_articles(self, q: str = "", product_id: int | None = None, limit: int = 10) -> list[dict]: ...
    def get_article(self, article_id: int) -> dict: ...
    def article_ids(self, migrated: str = "any") -> Iterator[int]: ...
    def article_stats(self) -> dict: ...
    def freeze_articles(self, article_ids: list[int]) -> list[dict]: ...
    def mark_articles_migrated(self, article_ids: list[int]) -> None: ...
    def article_checksums(self, page_size: int = 500) -> Iterator[dict]: ...
    def release_articles(self, article_ids: list[int]) -> None: ...
    def publish_article(self, article_id: int, article: dict) -> dict: ...
    def raise_staff_alert(self, kind: str, message: str, ticket_reference: str | None = None) -> dict: ...
    def raise_staff_alerts(self, alerts: list[dict]) -> list[dict]: ...
    def staff_alerts(self) -> Iterator[dict]: ...  # every alert the monolith holds, newest first
    # The outbox moving to the notifications service (docs/adr/0023).
    def outbox_owner(self) -> str: ...
    def outbox_switched_since(self) -> str | None: ...  # None: never switched (nor rolled back)
    def set_outbox_owner(self, owner: str) -> None: ...
    def outbox_ids(self, migrated: str = "any") -> Iterator[int]: ...
    def outbox_stats(self) -> dict: ...
    def freeze_outbox(self, message_ids: list[int]) -> list[dict]: ...
    def mark_outbox(self, message_ids: list[int]) -> None: ...
    def hand_back(self, messages: list[dict]) -> list[dict]: ...
    def outbox_checksums(self) -> Iterator[dict]: ...
    # Customers (with contracts), products, plans, locales moving to the customers service (ADR 0025);
    # `kind` is one of handover.KINDS.
    def handover_ids(self, kind: str, migrated: str = "any") -> Iterator[int]: ...
    def handover_stats(self, kind: str) -> dict: ...
    def freeze_handover(self, kind: str, ids: list[int]) -> list[dict]: ...
    def mark_handover(self, kind: str, ids: list[int]) -> None: ...
    def handover_checksums(self, kind: str, page_size: int = 500) -> Iterator[dict]: ...
    def write_back_contact(self, customer_id: int, contact: dict) -> dict: ...
    def write_back_record(self, kind: str, record_id: int, content: dict) -> dict: ...
    def release_handover(self, kind: str, ids: list[int]) -> None: ...
    def write_back_expert(self, expert_id: int, record: dict) -> dict: ...
    # Login accounts moving to the identity service (docs/adr/0032): the handover's `accounts` kind, and
    # which account signs in by a name (None: none).
    def account_named(self, username: str) -> int | None: ...
    def write_back_account(self, account_id: int, account: dict) -> dict: ...


class HttpBridgeClient:
    def __init__(self, base_url: str, token: Callable[[], str], *, connect_timeout: float = 2.0,
                 read_timeout: float = 5.0, retries: int = 3, backoff: float = 0.2, pool_size: int = 20):
        self.base = base_url.rstrip("/") + PREFIX
        self._health_url = base_url.rstrip("/") + "/healthz"
        self._token = token
        self._timeout = (connect_timeout, read_timeout)
        self._retries, self._backoff = retries, backoff
        self._quiet = threading.Event()  # set while calls fail at once (the bridge timed out, not answered since)
        self._prober: threading.Thread | None = None
        self._prober_lock = threading.Lock()
        self._session = requests.Session()
        adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def close(self) -> None:
        self._session.close()

    def quiet(self) -> bool:
        """Whether calls fail at once now: the bridge timed out and has not answered since."""
        return self._quiet.is_set()

    def _went_quiet(self) -> None:
        self._quiet.set()
        with self._prober_lock:
            if self._prober is None or not self._prober.is_alive():
                self._prober = threading.Thread(target=self._probe, name="bridge-probe", daemon=True)
                self._prober.start()

    def _probe(self) -> None:
        """Ask the bridge's health every PROBE_S until it answers at all (a 503 too: it answers in time, and
        each call gets its own answer); then calls go through again."""
        while self._quiet.is_set():
            time.sleep(PROBE_S)
            try:
                requests.get(self._health_url, timeout=(self._timeout[0], PROBE_TIMEOUT_S)).close()
            except requests.RequestException:
                continue
            self._quiet.clear()

    def _call(self, method: str, path: str, *, params: dict | None = None, json: Any = None,
              idempotent: bool) -> Any:
        if self._quiet.is_set():
            raise Unavailable("the bridge did not answer a moment ago and has not since: not asked")
        attempts = self._retries + 1 if idempotent else 1
        for attempt in range(attempts):
            try:
                response = self._session.request(method, self.base + path, params=params, json=json,
                                                 timeout=self._timeout,
                                                 headers={"Authorization": f"Bearer {self._token()}", **forwarded()})
            except requests.Timeout as exc:
                # A bridge that took the request and does not answer (frozen, overloaded) would not answer a
                # retry sooner: fail now, and fail fast until it answers again, so no caller waits a time-out.
                self._went_quiet()
                raise Unavailable(f"bridge not answering: {exc}") from exc
            except requests.RequestException as exc:
                if attempt + 1 < attempts:
                    time.sleep(self._backoff * 2 ** attempt)
                    continue
                raise Unavailable(f"bridge unreachable: {exc}") from exc
            if response.status_code >= 500 and attempt + 1 < attempts:
                time.sleep(self._backoff * 2 ** attempt)
                continue
            return self._result(response)
        raise AssertionError("unreachable")

    @staticmethod
    def _result(response: requests.Response) -> Any:
        if response.status_code < 400:
            return response.json()
        try:
            problem = response.json()
        except ValueError:
            problem = {}
        message = problem.get("detail") or response.reason
        if response.status_code >= 500:
            raise Unavailable(message, response.status_code, problem)
        kind = _BY_STATUS.get(response.status_code, InvalidRequest)
        raise kind(message, response.status_code, problem)

    def _post_in_chunks(self, path: str, field: str, values: list, size: int, *, idempotent: bool,
                        **extra: Any) -> list:
        """POST `values` as `{field: [...], **extra}` bodies of at most `size` (the bridge's limit per body);
        the answers' `items`, in order."""
        answered: list = []
        for start in range(0, len(values), size):
            answered.extend(self._call("POST", path, json={field: values[start:start + size], **extra},
                                       idempotent=idempotent)["items"])
        return answered

    def _get(self, path: str, **params) -> Any:
        return self._call("GET", path, params={k: v for k, v in params.items() if v is not None}, idempotent=True)

    def _pages(self, path: str, **params) -> Iterator[Any]:
        cursor = None
        while True:
            page = self._get(path, cursor=cursor, **params)
            yield from page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return

    def get_customer(self, customer_id: int) -> dict:
        return self._get(f"/customers/{customer_id}")

    def customer_contracts(self, customer_id: int) -> list[dict]:
        return self._get(f"/customers/{customer_id}/contracts")["items"]

    def coverage(self, customer_id: int, product_id: int, on: dt.date | None = None) -> dict:
        return self._get("/coverage", customer_id=customer_id, product_id=product_id,
                         on=on.isoformat() if on else None)

    def products(self) -> list[dict]:
        return self._get("/products")["items"]

    def locales(self) -> list[dict]:
        return self._get("/locales")["items"]

    def experts(self, product_id: int | None = None, locale_id: int | None = None) -> Iterator[dict]:
        return self._pages("/experts", product_id=product_id, locale_id=locale_id, limit=200)

    def get_expert(self, expert_id: int) -> dict:
        return self._get(f"/experts/{expert_id}")

    def legacy_ticket_ids(self, migrated: str = "any", page_size: int = 500,
                          statuses: tuple[str, ...] = ()) -> Iterator[int]:
        return self._pages("/legacy-tickets", migrated=migrated, limit=page_size, status=",".join(statuses) or None)

    def get_legacy_ticket(self, ticket_id: int) -> dict:
        return self._get(f"/legacy-tickets/{ticket_id}")

    def mark_migrated(self, ticket_id: int) -> dict:
        # Setting a flag that is set once is idempotent, so it may be retried.
        return self._call("POST", f"/legacy-tickets/{ticket_id}/migrated", idempotent=True)

    def legacy_stats(self) -> dict:
        return self._get("/legacy-tickets/stats")

    def get_legacy_tickets(self, ticket_ids: list[int]) -> list[dict]:
        # The ids travel in the query string: a few hundred of them would pass the server's request-line
        # limit (4 KiB in gunicorn), so long lists go in several requests.
        ids = list(ticket_ids)
        items: list[dict] = []
        for start in range(0, len(ids), BATCH_GET_IDS):
            chunk = ",".join(map(str, ids[start:start + BATCH_GET_IDS]))
            items.extend(self._get("/legacy-tickets/batch", ids=chunk)["items"])
        return items

    def freeze_legacy_tickets(self, ticket_ids: list[int], reader: dict | None = None) -> list[dict]:
        """Freeze then read: from this call on the legacy system refuses writes to these tickets, and
        the records returned hold every write it ever accepted. Idempotent, so it may be retried. With
        a `reader`, only those the reader may read (the others are neither frozen nor returned)."""
        extra = {"reader": reader} if reader is not None else {}
        return self._post_in_chunks("/legacy-tickets/freeze", "ids", list(ticket_ids), BATCH_POST_IDS, idempotent=True,
                                    **extra)

    def legacy_commitments(self, slots: list[str] = (), expert_id: int | None = None) -> list[int]:
        return self._get("/legacy-tickets/commitments", slots=",".join(slots) or None, expert_id=expert_id)["items"]

    def legacy_report_rows(self, start: str, end: str) -> list[list]:
        """Each row ends with the ticket's customer id and contract id (which plan it was raised under)."""
        return self._get("/legacy-tickets/report-rows", **{"from": start, "to": end, "with": "contract"})["items"]

    def legacy_report_now(self, now: str) -> dict:
        return self._get("/legacy-tickets/report-now", now=now)

    def write_back(self, tickets: list[dict]) -> list[int]:
        # An upsert by id: repeating it writes the same rows, so it may be retried.
        return self._call("PUT", "/legacy-tickets/writeback", json={"items": tickets}, idempotent=True)["written"]

    def mark_migrated_many(self, ticket_ids: list[int]) -> list[dict]:
        return self._post_in_chunks("/legacy-tickets/migrated", "ids", list(ticket_ids), BATCH_POST_IDS,
                                    idempotent=True)

    def legacy_checksums(self, page_size: int = 500) -> Iterator[dict]:
        return self._pages("/legacy-tickets/checksums", limit=page_size)

    def notify(self, *, idempotency_key: str, channel: str, recipient_kind: str, recipient_id: int,
               subject: str, body: str) -> dict:
        payload = notification_request(idempotency_key=idempotency_key, channel=channel, recipient_kind=recipient_kind,
                                       recipient_id=recipient_id, subject=subject, body=body)
        return self._call("POST", "/notifications", json=payload, idempotent=True)

    def notify_many(self, messages: list[dict]) -> list[dict]:
        # Each message keeps its idempotency key, so a retried batch queues nothing twice.
        return self._post_in_chunks("/notifications/batch", "items", messages, BATCH_ITEMS, idempotent=True)

    def notification(self, notification_id: int) -> dict:
        return self._get(f"/notifications/{notification_id}")

    def search_articles(self, q: str = "", product_id: int | None = None, limit: int = 10) -> list[dict]:
        return self._get("/kb/articles", q=q or None, product_id=product_id, limit=limit)["items"]

    def get_article(self, article_id: int) -> dict:
        return self._get(f"/kb/articles/{article_id}")

    def article_ids(self, migrated: str = "any") -> Iterator[int]:
        after = 0
        while True:
            page = self._get("/kb/articles/ids", after=after, migrated=migrated if migrated != "any" else None)["items"]
            yield from page
            if not page:
                return
            after = page[-1]

    def article_stats(self) -> dict:
        return self._get("/kb/articles/stats")

    def freeze_articles(self, article_ids: list[int]) -> list[dict]:
        """Like freeze_legacy_tickets, for KB articles: idempotent, so it may be retried."""
        return self._post_in_chunks("/kb/articles/freeze", "ids", list(article_ids), BATCH_POST_IDS, idempotent=True)

    def mark_articles_migrated(self, article_ids: list[int]) -> None:
        self._post_in_chunks("/kb/articles/mark", "ids", list(article_ids), BATCH_POST_IDS, idempotent=True)

    def article_checksums(self, page_size: int = 500) -> Iterator[dict]:
        return self._pages("/kb/articles/checksums", limit=page_size)

    def release_articles(self, article_ids: list[int]) -> None:
        self._post_in_chunks("/kb/articles/release", "ids", list(article_ids), BATCH_POST_IDS, idempotent=True)

    def publish_article(self, article_id: int, article: dict) -> dict:
        # An upsert of the whole published version: repeating it writes the same row.
        return self._call("PUT", f"/kb/articles/{article_id}/published", json=article, idempotent=True)

    def raise_staff_alert(self, kind: str, message: str, ticket_reference: str | None = None) -> dict:
        return self._call("POST", "/staff-alerts", json=staff_alert(kind, message, ticket_reference), idempotent=False)

    def raise_staff_alerts(self, alerts: list[dict]) -> list[dict]:
        return self._post_in_chunks("/staff-alerts/batch", "items", alerts, BATCH_ITEMS, idempotent=False)

    def staff_alerts(self) -> Iterator[dict]:
        return self._pages("/staff-alerts", limit=200)

    def outbox_owner(self) -> str:
        return self._get("/outbox/owner")["owner"]

    def outbox_switched_since(self) -> str | None:
        return self._get("/outbox/owner")["since"]

    def set_outbox_owner(self, owner: str) -> None:
        self._call("PUT", "/outbox/owner", json={"owner": owner}, idempotent=True)

    def outbox_stats(self) -> dict:
        """{"total", "frozen", "migrated"}: the outbox's messages, taken over, copied."""
        return self._get("/outbox/messages/stats")

    def outbox_ids(self, migrated: str = "any") -> Iterator[int]:
        after = 0
        while page := self._get("/outbox/messages/ids", after=after, migrated=migrated)["items"]:
            yield from page
            after = page[-1]

    def freeze_outbox(self, message_ids: list[int]) -> list[dict]:
        """The messages as frozen now (idempotent); one a live lease holds is left out, sent here."""
        return self._post_in_chunks("/outbox/messages/freeze", "ids", list(message_ids), BATCH_POST_IDS,
                                    idempotent=True)

    def mark_outbox(self, message_ids: list[int]) -> None:
        self._post_in_chunks("/outbox/messages/mark", "ids", list(message_ids), BATCH_POST_IDS, idempotent=True)

    def hand_back(self, messages: list[dict]) -> list[dict]:
        """Queue messages in the monolith's outbox again (idempotent per key)."""
        return self._post_in_chunks("/outbox/messages/hand-back", "items", messages, BATCH_ITEMS, idempotent=True)

    def outbox_checksums(self) -> Iterator[dict]:
        after = 0
        while page := self._get("/outbox/messages/checksums", after=after)["items"]:
            yield from page
            after = page[-1]["id"]

    def handover_ids(self, kind: str, migrated: str = "any") -> Iterator[int]:
        after = 0
        while page := self._get(f"/handover/{kind}/ids", after=after,
                                migrated=migrated if migrated != "any" else None)["items"]:
            yield from page
            after = page[-1]

    def handover_stats(self, kind: str) -> dict:
        return self._get(f"/handover/{kind}/stats")

    def freeze_handover(self, kind: str, ids: list[int]) -> list[dict]:
        """The records as frozen now (idempotent: the same records again, so it may be retried)."""
        return self._post_in_chunks(f"/handover/{kind}/freeze", "ids", list(ids), BATCH_POST_IDS, idempotent=True)

    def mark_handover(self, kind: str, ids: list[int]) -> None:
        self._post_in_chunks(f"/handover/{kind}/mark", "ids", list(ids), BATCH_POST_IDS, idempotent=True)

    def handover_checksums(self, kind: str, page_size: int = 500) -> Iterator[dict]:
        return self._pages(f"/handover/{kind}/checksums", limit=page_size)

    def write_back_contact(self, customer_id: int, contact: dict) -> dict:
        # The whole current contact: repeating it writes the same row.
        return self._call("PUT", f"/customers/{customer_id}/contact", json=contact, idempotent=True)

    def write_back_record(self, kind: str, record_id: int, content: dict) -> dict:
        """A product, plan, locale or contract the customers service created or changed, whole (so a
        repeat writes the same row)."""
        return self._call("PUT", f"/handover/{kind}/{record_id}", json=content, idempotent=True)

    def release_handover(self, kind: str, ids: list[int]) -> None:
        self._post_in_chunks(f"/handover/{kind}/release", "ids", list(ids), BATCH_POST_IDS, idempotent=True)

    def write_back_expert(self, expert_id: int, record: dict) -> dict:
        return self._call("PUT", f"/experts/{expert_id}", json=record, idempotent=True)

    def write_back_account(self, account_id: int, account: dict) -> dict:
        """The account as the identity service holds it, whole (so a repeat writes the same row)."""
        return self._call("PUT", f"/handover/accounts/{account_id}", json=account, idempotent=True)

    def account_named(self, username: str) -> int | None:
        try:
            return int(self._get("/handover/accounts/named", username=username)["id"])
        except NotFound:
            return None
