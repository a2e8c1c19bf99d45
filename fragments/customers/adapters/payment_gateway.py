"""The payment gateway stands outside: this local stand-in answers as one would (a token for a card,
a reference for a charge, the same reference for a charge repeated under its key, refunds), with the
test cards' conventions: a number ending 0002 is declined. It keeps what it was given in memory only
(the process's life), never in our stores."""
from __future__ import annotations

import hashlib
import secrets
import threading

from ..services.ports import PaymentDeclined

DECLINED_SUFFIX = "0002"


class LocalGateway:
    def __init__(self) -> None:
        self._cards: dict[str, str] = {}  # token -> last four digits
        self._charges: dict[str, tuple[str, int]] = {}  # key -> (reference, amount)
        self.refunded: list[str] = []
        self._lock = threading.Lock()

    def register_card(self, number: str, expiry_month: int, expiry_year: int) -> dict[str, str]:
        if number.endswith(DECLINED_SUFFIX):
            raise PaymentDeclined("the card issuer declined this card")
        token = "tok_" + secrets.token_hex(12)
        brand = {"4": "Visa", "5": "Mastercard", "3": "Amex"}.get(number[:1], "Card")
        with self._lock:
            self._cards[token] = number[-4:]
        return {"token": token, "last4": number[-4:], "brand": brand}

    def charge(self, token: str, amount_cents: int, key: str) -> str:
        with self._lock:
            if key in self._charges:
                return self._charges[key][0]
            if amount_cents <= 0:
                raise PaymentDeclined("nothing to charge")
            reference = "ch_" + hashlib.sha256(f"{token}:{key}".encode()).hexdigest()[:20]
            self._charges[key] = (reference, amount_cents)
            return reference

    def refund(self, reference: str) -> None:
        with self._lock:
            self.refunded.append(reference)
