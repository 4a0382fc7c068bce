"""How a Dapr key becomes a Workers KV key.

The rule, shared with the upstream component so that both read the same data: the key is
escaped like a URL path segment (Go's `url.PathEscape`), and the escaped text is what
Workers KV stores. Letters, digits, `-._~` and `$&+:=@` stay as they are; every other
byte of the UTF-8 form becomes `%XX` with upper-case hex.
"""

from __future__ import annotations

from workerskv.errors import InvalidRequestError

MAX_KEY_BYTES = 512

_KEEP = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~$&+:=@"
)
_TABLE = tuple(chr(b) if b in _KEEP else f"%{b:02X}" for b in range(256))


def escape_key(key: str) -> str:
    """Return the stored form of the Dapr key `key`."""
    if key.isascii() and all(ord(c) in _KEEP for c in key):
        return key
    return "".join(_TABLE[b] for b in key.encode())


def stored_key(key: str) -> str:
    """Escape `key` and check it against the Workers KV key rules."""
    if not key:
        raise InvalidRequestError(
            "key is empty; Workers KV keys need at least one byte"
        )

    try:
        stored = escape_key(key)
    except UnicodeEncodeError:
        raise InvalidRequestError(
            f"key {_preview(key)} is not valid Unicode text (it holds a lone "
            "surrogate, as undecodable bytes read from a terminal or file do); "
            "give the key as UTF-8 text"
        ) from None
    if stored in (".", ".."):
        raise InvalidRequestError(
            f"key {key!r} is not allowed by Workers KV; use another key, such as "
            f"one with a prefix"
        )
    if len(stored) > MAX_KEY_BYTES:
        raise InvalidRequestError(
            f"key {_preview(key)} is {len(stored)} bytes once escaped for Workers KV; "
            f"the limit is {MAX_KEY_BYTES} bytes: use a shorter key"
        )
    return stored


def _preview(key: str, limit: int = 40) -> str:
    return repr(key) if len(key) <= limit else repr(key[:limit]) + "..."
