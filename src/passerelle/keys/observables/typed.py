"""Observables typed by people (a watch, a look-up) classified and normalised into keys."""

from __future__ import annotations

import ipaddress
import re
from typing import Final

from passerelle.errors import BadInput
from passerelle.keys.observables.kinds import (
    CORRELATION_KINDS,
    DOMAIN,
    EMAIL,
    HANDLE,
    HASH_LENGTHS,
    IPV4,
    KINDS,
    PHONE,
    URL,
    first_key,
)
from passerelle.keys.observables.networks import MIN_PREFIX, address_keys
from passerelle.keys.observables.values import (
    HANDLE_NAME,
    SCHEME,
    bare_hash_key,
    domain_key,
    email_key,
    handle_key,
    hash_key,
    phone_key,
    url_keys,
)

_PHONE_LIKE = re.compile(r"(?:tel:)?[+(]?\d[\d\s().\-/\u00a0]{0,40}", re.IGNORECASE)


def observable_key(value: str, region: str, kinds: frozenset[str] = KINDS) -> str:
    """Classify and normalise an observable a user typed into its key.

    An explicit kind may lead the value (``phone:``, ``email:``, ``url:``, ``handle:``);
    otherwise the form tells: ``@name`` a handle, ``t.me/name`` a Telegram handle, an
    address with ``@`` an e-mail, ``scheme://...`` a URL, digits a phone number.

    With the correlation kinds (``kinds=CORRELATION_KINDS``) also ``domain:``, ``ip:``,
    ``cidr:``, ``md5:``, ``sha1:``, ``sha256:``, ``sha512:``; unprefixed, an IP address or
    network, a hex string of a hash's length and a domain name are recognised too.
    """
    text = value.strip()
    if not text:
        raise BadInput("an observable needs a value")
    kind, sep, rest = text.partition(":")
    if sep and kind.lower() in KINDS and not rest.startswith("//"):
        return _explicit_key(kind.lower(), rest, region)
    wide = kinds >= CORRELATION_KINDS
    if wide:
        found = _correlation_key(text)
        if found:
            return found
    if text.startswith("@"):
        return _required(
            handle_key(text) if HANDLE_NAME.fullmatch(text[1:]) else None, text, HANDLE
        )
    telegram = _telegram_link(text)
    if telegram:
        return telegram
    if "@" in text and not SCHEME.match(text):
        return _required(email_key(text), text, EMAIL)
    if SCHEME.match(text):
        return _required(first_key(url_keys(text)), text, URL)
    if text.lower().startswith("tel:") or _PHONE_LIKE.fullmatch(text):
        return _required(phone_key(text, region), text, PHONE)
    if wide and (domain := domain_key(text)):
        return domain
    if wide:
        raise BadInput(
            f"cannot tell what {_shown(text)} is: give a phone number, an e-mail address, "
            "a URL with its scheme, a handle (@name), a domain, an IP address or network, "
            "or an MD5/SHA-1/SHA-256/SHA-512 hash, or prefix it with its kind (phone:, "
            "email:, url:, handle:, domain:, ip:, cidr:, md5:, sha1:, sha256:, sha512:)"
        )
    raise BadInput(
        f"cannot tell what {_shown(text)} is: give a phone number (+33 6 12 34 56 78, "
        "or 06 12 34 56 78 in the node's region), an e-mail address, a URL with its scheme "
        "(https://...), a handle (@name, t.me/name), or prefix it with phone:, email:, url: "
        "or handle:"
    )


_CORRELATION_PREFIXES: Final = frozenset(
    ("domain", "ip", "ipv4", "ipv6", "cidr", *HASH_LENGTHS, "sha-1", "sha-256", "sha-512")
)


def _correlation_key(text: str) -> str | None:
    """Return the key of a correlation-only observable, explicit or recognised by form."""
    kind, sep, rest = text.partition(":")
    kind = kind.lower()
    if sep and kind in _CORRELATION_PREFIXES and not rest.startswith("//"):
        value = rest.strip()
        if kind == DOMAIN:
            return _required(domain_key(value), value, DOMAIN)
        if kind in ("ip", "ipv4", "ipv6", "cidr"):
            if "/" in value and not address_keys(value):
                _too_wide(value)
            return _required(first_key(address_keys(value)), value, IPV4)
        return _required(hash_key(kind, value), value, kind)
    found = first_key(address_keys(text))
    if found is None and "/" in text:
        _too_wide(text)
    return found or bare_hash_key(text)


def _too_wide(text: str) -> None:
    """Refuse a network too wide to be a key, rather than call it something else."""
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return
    raise BadInput(
        f"{_shown(text)} is too wide a network to correlate on: give /"
        f"{MIN_PREFIX[network.version]} or narrower"
    )


def _explicit_key(kind: str, rest: str, region: str) -> str:
    if kind == PHONE:
        return _required(phone_key(rest, region), rest, PHONE)
    if kind == EMAIL:
        return _required(email_key(rest), rest, EMAIL)
    if kind == URL:
        return _required(first_key(url_keys(rest)), rest, URL)
    return _required(handle_key(rest), rest, HANDLE)


def _telegram_link(text: str) -> str | None:
    """Return the handle key of a Telegram link, with or without its scheme."""
    link = text if SCHEME.match(text) else f"https://{text}"
    if not re.match(r"(?i)(?:[a-z]+://)?(?:www\.)?(?:t\.me|telegram\.me|telegram\.dog)/", text):
        return None
    keys = url_keys(link)
    return keys[1] if len(keys) > 1 else None


def _required(key: str | None, text: str, kind: str) -> str:
    if key is None:
        what = {
            PHONE: "a possible phone number",
            EMAIL: "an e-mail address",
            URL: "a URL (scheme://host/...)",
            HANDLE: "a handle (@name)",
            DOMAIN: "a domain name",
            IPV4: "an IP address or network",
        }.get(kind, f"a {kind} hash in hexadecimal")
        raise BadInput(f"{_shown(text)} is not {what}")
    return key


def _shown(text: str) -> str:
    return repr(text[:60] + ("..." if len(text) > 60 else ""))
