"""The kinds of observable key, how a key is written, and how much of an object is read.

A key is ``KIND:VALUE``; watches match on :data:`KINDS`, correlation on
:data:`CORRELATION_KINDS` (see the package's doc). Every function of the package that
takes ``kinds`` gives the keys of those kinds only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, Final

PHONE: Final = "phone"
EMAIL: Final = "email"
URL: Final = "url"
HANDLE: Final = "handle"
KINDS: Final = frozenset((PHONE, EMAIL, URL, HANDLE))
DOMAIN: Final = "domain"
IPV4: Final = "ipv4"
IPV6: Final = "ipv6"
CIDR4: Final = "cidr4"
CIDR6: Final = "cidr6"
MD5: Final = "md5"
SHA1: Final = "sha1"
SHA256: Final = "sha256"
SHA512: Final = "sha512"
# Hex length of each hash kind.
HASH_LENGTHS: Final = {MD5: 32, SHA1: 40, SHA256: 64, SHA512: 128}
NETWORK_KINDS: Final = frozenset((IPV4, IPV6, CIDR4, CIDR6))
CORRELATION_KINDS: Final = KINDS | {DOMAIN} | NETWORK_KINDS | frozenset(HASH_LENGTHS)
# Characters of free text scanned per object.
MAX_TEXT: Final = 20_000
# Values per list property looked at (phone lists, pattern IN sets).
MAX_VALUES: Final = 100
# Longer keys are replaced by a digest so that every key fits in the key index.
_MAX_KEY: Final = 256


def make_key(kind: str, value: str) -> str:
    """Join a kind and a canonical value into a key, as a digest when it is very long."""
    key = f"{kind}:{value}"
    if len(key) > _MAX_KEY:
        return f"{kind}:sha256:{hashlib.sha256(value.encode()).hexdigest()}"
    return key


def is_wide(kinds: frozenset[str]) -> bool:
    """Tell whether kinds other than the watch kinds are asked for."""
    return kinds is CORRELATION_KINDS or not kinds <= KINDS


def kept(found: Iterable[str | None], kinds: frozenset[str]) -> set[str]:
    """Return the keys found (None: not a key) that are of the kinds asked for."""
    if kinds is CORRELATION_KINDS or kinds >= CORRELATION_KINDS:  # every kind there is
        keys: set[Any] = set(found)
        keys.discard(None)
        return keys
    return {key for key in found if key is not None and key.split(":", 1)[0] in kinds}


def first_key(keys: list[str]) -> str | None:
    """Return the first of some keys, or None when there is none."""
    return keys[0] if keys else None
