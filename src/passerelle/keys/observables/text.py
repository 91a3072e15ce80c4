"""Keys in free text: phone numbers, e-mail addresses, links and ``@handles`` (watches);
also the hosts of links, IPv4 addresses and networks, and hashes (correlation)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from passerelle.keys.observables.kinds import EMAIL, HANDLE, MAX_TEXT, PHONE, URL, is_wide, make_key
from passerelle.keys.observables.networks import DOTTED_QUAD, address_keys
from passerelle.keys.observables.values import bare_hash_key, url_host_keys, url_keys

# Phone-number attempts per text: a bound on the time a hostile text costs.
MAX_PHONE_TRIES: Final = 200
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}")
_URL_IN_TEXT = re.compile(r"(?i)\b(?:https?|ftp)://[^\s<>\"'`\[\]{}|\\^]+")
_TELEGRAM_IN_TEXT = re.compile(r"(?i)(?<![\w./])(?:t\.me|telegram\.me)/[\w/+]+")
_HANDLE_IN_TEXT = re.compile(r"(?<![\w@.])@([A-Za-z0-9_]{3,64})\b(?!@|\.\w)")
# In free text (correlation only): IPv4 addresses and networks, and hex strings as long as
# a hash; digits or dots around them mean a longer number, not an address.
_IPV4_IN_TEXT = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?(?![\w.]*\d)")
_HEX_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64}|[0-9A-Fa-f]{128})(?![0-9A-Za-z])"
)
_TRAILING = ".,;:!?)]}'\""
_DIGIT = re.compile(r"\d")


def text_found(text: str, region: str, kinds: frozenset[str]) -> set[str]:
    """Return the keys in free text, of the kinds asked for and maybe others."""
    text = text[:MAX_TEXT]
    keys: set[str] = set()
    if not text:
        return keys
    if PHONE in kinds and _DIGIT.search(text):  # a phone number has digits
        keys.update(_phones_in(text, region))
    if EMAIL in kinds and "@" in text:
        keys.update(make_key(EMAIL, m.group().lower()) for m in _EMAIL.finditer(text))
    if URL in kinds or HANDLE in kinds:
        for match in _URL_IN_TEXT.finditer(text):
            keys.update(url_keys(match.group().rstrip(_TRAILING)))
        for match in _TELEGRAM_IN_TEXT.finditer(text):
            keys.update(url_keys("https://" + match.group().rstrip(_TRAILING)))
    if HANDLE in kinds and "@" in text:
        keys.update(make_key(HANDLE, m.group(1).lower()) for m in _HANDLE_IN_TEXT.finditer(text))
    if is_wide(kinds):
        keys |= _wide_text_keys(text)
    return keys


def _wide_text_keys(text: str) -> set[str]:
    """Keys of the correlation-only kinds in free text: hosts of links, IPv4, hashes."""
    keys: set[str] = set()
    if "://" in text:
        for match in _URL_IN_TEXT.finditer(text):
            keys.update(url_host_keys(match.group().rstrip(_TRAILING)))
    if "." in text:
        for match in _IPV4_IN_TEXT.finditer(text):
            keys.update(address_keys(match.group()))
    for match in _HEX_IN_TEXT.finditer(text):
        key = bare_hash_key(match.group())
        if key:
            keys.add(key)
    return keys


def _phones_in(text: str, region: str) -> Iterator[str]:
    import phonenumbers  # on first use, as in values.phone_key

    matcher = phonenumbers.PhoneNumberMatcher(
        text, region, leniency=phonenumbers.Leniency.POSSIBLE, max_tries=MAX_PHONE_TRIES
    )
    for match in matcher:
        if DOTTED_QUAD.fullmatch(match.raw_string.strip()):
            continue  # 198.51.100.7 is an IPv4 address, not a phone number
        yield make_key(
            PHONE, phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        )
