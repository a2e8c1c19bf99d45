"""What a hostile or broken client sends, as hypothesis strategies shared by every app's fuzz tests:
control characters in any field, unpaired surrogates in JSON text (`"\\ud800"`), JSON nested far past
any sane depth, and bytes that are not UTF-8 at all."""
from __future__ import annotations

import json

from hypothesis import strategies as st

# Anything a form can carry (it must be UTF-8): includes every control character.
FORM_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["\x00", "a\r\nSet-Cookie: x=1", "\x1b[31m", "tab\tand\nnewline", "\x7f", "\u2028"])
# JSON strings may also hold unpaired surrogates (json.dumps escapes them, e.g. as \\ud800).
JSON_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=30)
JSON_VALUE = st.recursive(st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False) |
                          JSON_TEXT, lambda inner: st.lists(inner, max_size=4) |
                          st.dictionaries(JSON_TEXT, inner, max_size=4), max_leaves=12)


def nested(depth: int, inner: str = "1") -> str:
    """JSON `depth` levels deep, alternating arrays and objects."""
    opening = "".join('{"a":' if level % 2 else "[" for level in range(depth))
    closing = "".join("}" if level % 2 else "]" for level in reversed(range(depth)))
    return opening + inner + closing


DEEP = st.integers(33, 3000).map(nested)
LONE_SURROGATE = st.sampled_from(["\\ud800", "\\udfff", "x\\ud83d", "\\udc00y"])


def raw_json_bodies(fields: list[str]) -> st.SearchStrategy[bytes]:
    """Raw request bodies: valid JSON with hostile text, deep nesting in a field or as the whole
    body, lone surrogates written as escapes, and bytes that are not UTF-8."""
    objects = st.dictionaries(st.sampled_from(fields), JSON_VALUE, max_size=4).map(json.dumps)
    deep_field = st.tuples(st.sampled_from(fields), DEEP).map(lambda p: '{"%s": %s}' % p)
    surrogate_field = st.tuples(st.sampled_from(fields), LONE_SURROGATE).map(lambda p: '{"%s": "%s"}' % p)
    text = objects | deep_field | surrogate_field | DEEP
    return text.map(str.encode) | st.sampled_from([b'{"note": "\xff\xfe"}', b"\xc3\x28", b'{"a": "\xed\xa0\x80"}'])


def refused_outright(body: bytes) -> bool:
    """A body no app of ours may act on: not UTF-8, nested deeper than 32, or holding an unpaired
    surrogate or a control character other than tab, CR and LF."""
    from foundation.inbound import RefusedInput, check_tree

    try:
        check_tree(json.loads(body.decode("utf-8")))
    except (UnicodeDecodeError, ValueError, RecursionError, RefusedInput):
        return True
    return False
