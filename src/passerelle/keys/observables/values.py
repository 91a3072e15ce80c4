"""Keys of one value: a phone number, an e-mail address, an account handle, a URL, a
domain or host, a file hash."""

from __future__ import annotations

import re
import urllib.parse
from typing import Final

from passerelle.keys.observables.kinds import (
    DOMAIN,
    EMAIL,
    HANDLE,
    HASH_LENGTHS,
    MD5,
    PHONE,
    SHA1,
    SHA256,
    SHA512,
    URL,
    make_key,
)
from passerelle.keys.observables.networks import address_of, ip_key

# STIX hash names (and common spellings) -> kind.
_HASH_NAMES: Final = {
    "md5": MD5,
    "sha-1": SHA1,
    "sha1": SHA1,
    "sha-256": SHA256,
    "sha256": SHA256,
    "sha-512": SHA512,
    "sha512": SHA512,
}
_EMAIL_WHOLE = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}")
# An account name as written after @ or in a Telegram link.
HANDLE_NAME = re.compile(r"[A-Za-z0-9_.]{1,64}")
_DOMAIN = re.compile(
    r"(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})"
)
_HEX = re.compile(r"[0-9a-f]+")
# What starts a URL: a scheme and ://.
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
# A URL with an ASCII host name, and no credentials, port, fragment or empty query: most
# URLs, canonicalised without urllib (see _simple_url_keys).
_SIMPLE_URL = re.compile(
    r"(?P<scheme>[A-Za-z]+)://(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)"
    r"(?P<path>/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?"
    r"(?:\?(?P<query>[A-Za-z0-9._~!$&'()*+,;=:@%/?-]+))?"
)
_TELEGRAM_HOSTS: Final = frozenset(("t.me", "telegram.me", "www.t.me", "telegram.dog"))
# Telegram paths that are not account names (invitations, stickers, private chats...).
_TELEGRAM_RESERVED: Final = frozenset(
    ("joinchat", "addstickers", "addemoji", "addlist", "share", "proxy", "socks", "c", "iv")
)
_DEFAULT_PORTS: Final = {"http": 80, "https": 443, "ftp": 21}


def phone_key(text: str, region: str) -> str | None:
    """Return the key of a phone number (E.164), or None if it is not a possible one."""
    # Imported on first use (its metadata costs ~50 ms): a read command never keys phones.
    import phonenumbers

    try:
        number = phonenumbers.parse(text.strip()[:64], region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return make_key(PHONE, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def email_key(text: str) -> str | None:
    """Return the key of an e-mail address, or None if it is not one."""
    value = text.strip()
    if value.lower().startswith("mailto:"):
        value = value[7:].split("?", 1)[0]
    if not _EMAIL_WHOLE.fullmatch(value):
        return None
    return make_key(EMAIL, value.lower())


def handle_key(text: str) -> str | None:
    """Return the key of an account name (``@name`` or ``name``), or None if empty."""
    value = text.strip().removeprefix("@").strip().lower()
    if not value or len(value) > 256 or any(c.isspace() for c in value):
        return None
    return make_key(HANDLE, value)


def url_keys(text: str) -> list[str]:
    """Return the keys of a URL (its ``url:`` key, and ``handle:`` for a Telegram link)."""
    value = text.strip()
    simple = _SIMPLE_URL.fullmatch(value)
    if simple is not None:
        scheme, host, path, query = simple.groups()
        return _simple_url_keys(scheme, host.lower(), path, query)
    if not SCHEME.match(value):
        return []
    try:
        parts = urllib.parse.urlsplit(value)
        port = parts.port
    except ValueError:
        return []
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if not host:
        return []
    host = _idna_host(host)
    netloc = host if ":" not in host else f"[{host}]"
    if parts.username is not None:
        credentials = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{credentials}@{netloc}"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    path = parts.path.rstrip("/")
    canonical = urllib.parse.urlunsplit((scheme, netloc, path, parts.query, ""))
    keys = [make_key(URL, canonical)]
    handle = _telegram_handle(host, path)
    if handle:
        keys.append(handle)
    return keys


def _simple_url_keys(scheme: str, host: str, path: str | None, query: str | None) -> list[str]:
    """:func:`url_keys` of a URL as :data:`_SIMPLE_URL` splits it (host lower-cased).

    Such a URL has no credentials, port, fragment, brackets or non-ASCII character, so
    urllib would split it exactly as the pattern does.
    """
    path = (path or "").rstrip("/")
    canonical = f"{scheme.lower()}://{host}{path}" + (f"?{query}" if query else "")
    keys = [make_key(URL, canonical)]
    handle = _telegram_handle(host, path)
    if handle:
        keys.append(handle)
    return keys


def _idna_host(host: str) -> str:
    """Return a URL host lower-cased, in punycode when it is an IDN and can be."""
    if host.isascii():  # the codec gives ASCII back as it is, or fails: lower() either way
        return host.lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        host = host.lower()
    return host.lower()


def url_host_keys(text: str) -> list[str]:
    """Return the key of a URL's host: ``domain:``, or the address key of an IP host."""
    value = text.strip()
    simple = _SIMPLE_URL.fullmatch(value)
    if simple is not None:
        return [key] if (key := host_key(simple.group("host").lower())) else []
    if not SCHEME.match(value):
        return []
    try:
        host = urllib.parse.urlsplit(value).hostname or ""
    except ValueError:
        return []
    return [key] if (key := host_key(host)) else []


def url_found(text: str, narrow: bool, wide: bool) -> list[str | None]:
    """Return :func:`url_keys` when ``narrow`` and :func:`url_host_keys` when ``wide``, at
    once (None: not a key)."""
    simple = _SIMPLE_URL.fullmatch(text.strip())
    if simple is None:
        found: list[str | None] = [*url_keys(text)] if narrow else []
        if wide:
            found += url_host_keys(text)
        return found
    scheme, host, path, query = simple.groups()
    host = host.lower()
    found = [*_simple_url_keys(scheme, host, path, query)] if narrow else []
    if wide:
        found.append(host_key(host))
    return found


def host_key(text: str) -> str | None:
    """Return the key of a host: an IP address key, else a ``domain:`` key, else None."""
    address = address_of(text)
    if address is not None:
        return ip_key(address)
    return domain_key(text)


def domain_key(text: str) -> str | None:
    """Return the key of a domain name, or None if it is not one."""
    value = text.strip().rstrip(".").lower()
    if not value or len(value) > 253 or "." not in value:
        return None
    # An ASCII name the codec would refuse (an empty label, one over 63 characters) is no
    # _DOMAIN either, and one it takes it gives back as it is: only IDNs need the codec.
    if not value.isascii():
        try:
            value = value.encode("idna").decode("ascii").lower()
        except UnicodeError:
            return None
    # (No _DOMAIN is an IP address: it has no colon, and letters in its last label.)
    return make_key(DOMAIN, value) if _DOMAIN.fullmatch(value) else None


def hash_key(algorithm: str, text: str) -> str | None:
    """Return the key of a hash (``SHA-256``, ``md5``...) as lower-case hex, or None."""
    kind = _HASH_NAMES.get(algorithm.strip().strip("'").lower())
    value = text.strip().lower()
    if kind is None or len(value) != HASH_LENGTHS[kind] or not _HEX.fullmatch(value):
        return None
    return f"{kind}:{value}"


def bare_hash_key(text: str) -> str | None:
    """Return the key of a hex string whose length is that of a known hash, or None."""
    value = text.strip().lower()
    for kind, length in HASH_LENGTHS.items():
        if len(value) == length and _HEX.fullmatch(value):
            return f"{kind}:{value}"
    return None


def _telegram_handle(host: str, path: str) -> str | None:
    if host not in _TELEGRAM_HOSTS:
        return None
    segments = [s for s in path.split("/") if s]
    if segments and segments[0] == "s":  # t.me/s/name: the web preview of a channel
        segments = segments[1:]
    if not segments or segments[0] in _TELEGRAM_RESERVED or segments[0].startswith("+"):
        return None
    name = segments[0]
    return handle_key(name) if HANDLE_NAME.fullmatch(name) else None
