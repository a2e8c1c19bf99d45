"""What every sender of our email agrees on: the Message-ID made from an idempotency key. The legacy
outbox and the notifications service both use it, so a message that moves from one to the other keeps
its Message-ID and a receiver can drop the duplicate of an at-least-once redelivery."""
from __future__ import annotations

import hashlib
import re
from email.utils import parseaddr

# What may stand in a dot-atom (RFC 5322 atext); anything else (":" in "received:42") separates words.
_NOT_ATEXT = re.compile(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")


def message_id(idempotency_key: str, sender: str) -> str:
    """A Message-ID valid per RFC 5322 (`<dot-atom@dot-atom>`) and the same for every delivery of one
    idempotency key. The key's words stay readable; a digest of the whole key keeps keys that differ
    only in separators ("a:b", "a.b") apart."""
    words = ".".join(word for word in _NOT_ATEXT.split(idempotency_key) if word)[:64].strip(".") or "message"
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
    domain = ".".join(w for w in re.split(r"[^A-Za-z0-9-]+", parseaddr(sender)[1].rpartition("@")[2]) if w)
    return f"<{words}.{digest}@{domain or 'sysops-squad.example'}>"
