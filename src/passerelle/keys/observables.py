"""Observables as watch keys: phone numbers, e-mail addresses, URLs and account handles.

A key is ``KIND:VALUE`` in one canonical form, so that a watch and an object meet on an
exact, indexed comparison:

- ``phone:+33612345678``: E.164. A number written without its country code
  (``06 12 34 56 78``) is read in the node's phone region (``KeyRules.phone_region``,
  from ``PASSERELLE_PHONE_REGION``, default FR); ``0033...``, ``+33 (0)6...`` and
  ``tel:`` URIs are understood.
- ``email:x@y.fr``: the whole address lower-cased (``mailto:`` dropped).
- ``url:https://example.org/a``: scheme and host lower-cased (IDN hosts in punycode),
  default port and ``#fragment`` dropped, path and query kept as written except that a
  trailing ``/`` is dropped, so ``https://x.fr/``, ``https://x.fr`` and ``HTTPS://X.FR``
  are one key while ``https://x.fr/a?b=1`` differs from ``https://x.fr/a``.
- ``handle:name``: an account name lower-cased, from ``@name``, a Telegram link
  (``t.me/name``, which also keeps its ``url:`` key) or a user-account's
  ``account_login``.

Correlation (:mod:`passerelle.correlation`) also uses the kinds of
:data:`CORRELATION_KINDS`; watches use :data:`KINDS` only, and every function here looks
for the watch kinds unless asked for more:

- ``domain:example.org``: a domain-name SCO, a ``domain-name:value`` pattern, the host of
  a URL (SCO, pattern or link in free text); lower-cased, IDN in punycode, trailing dot
  dropped. Bare domains in free text and the domains of e-mail addresses are not keys:
  file names and mentions would correlate everything with everything, and a shared
  mail provider (gmail.com) says nothing.
- ``ipv4:010.000.000.001`` and ``ipv6:2001:0db8:...`` (exploded): an IP address, written
  at fixed width so that the key index keeps addresses in numeric order; shown as
  ``ip:10.0.0.1`` (:func:`display_key`).
- ``cidr4:010.000.000.000/24`` and ``cidr6:...``: a network (host bits cleared; a /32 or
  /128 is an address; networks wider than /8 (IPv4) or /16 (IPv6) are not keys, since
  they would contain everything). "An address inside a network" is then an index look-up:
  the networks holding an address are the few keys :func:`related_keys` lists, and the
  addresses and sub-networks of a network are one key range.
- ``md5:``, ``sha1:``, ``sha256:``, ``sha512:``: a file or artifact hash (lower-case hex
  of the right length), from ``hashes`` of file and artifact SCOs, from patterns such as
  ``file:hashes.'SHA-256' = '...'`` and from hex strings of those lengths in free text.

From a STIX object, keys come from SCO values, from the quoted values of an indicator's
STIX pattern, and from phone numbers, addresses, links and ``@handles`` (correlation:
also IPv4 addresses and networks, and hashes) in its free text; the text scanned is capped
so that a hostile object costs a bounded time.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

import phonenumbers

from passerelle.errors import BadInput

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
# Networks wider than these are not keys: they would contain everything.
MIN_PREFIX: Final = {4: 8, 6: 16}
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

# Characters of free text scanned per object, and phone-number attempts per text.
MAX_TEXT: Final = 20_000
MAX_PHONE_TRIES: Final = 200
# Values per list property looked at (phone lists, pattern IN sets).
MAX_VALUES: Final = 100
# Free-text properties that may mention a number, an address, a link or a handle.
TEXT_PROPERTIES: Final = (
    "description",
    "content",
    "contact_information",
    "abstract",
    "explanation",
)
# Custom properties that hold phone numbers (a string or a list of them).
PHONE_PROPERTIES: Final = ("x_phone", "x_phone_number", "x_phone_numbers", "phone_number")
# Longer keys are replaced by a digest so that every key fits in the key index.
_MAX_KEY: Final = 256

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}")
_EMAIL_WHOLE = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}")
_URL_IN_TEXT = re.compile(r"(?i)\b(?:https?|ftp)://[^\s<>\"'`\[\]{}|\\^]+")
_TELEGRAM_IN_TEXT = re.compile(r"(?i)(?<![\w./])(?:t\.me|telegram\.me)/[\w/+]+")
_HANDLE_IN_TEXT = re.compile(r"(?<![\w@.])@([A-Za-z0-9_]{3,64})\b(?!@|\.\w)")
_HANDLE = re.compile(r"[A-Za-z0-9_.]{1,64}")
_DOMAIN = re.compile(
    r"(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})"
)
_ADDRESS_CHARS = re.compile(r"[0-9A-Fa-f:.]+")
_HEX = re.compile(r"[0-9a-f]+")
_DOTTED_QUAD = re.compile(r"(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)")
# In free text (correlation only): IPv4 addresses and networks, and hex strings as long as
# a hash; digits or dots around them mean a longer number, not an address.
_IPV4_IN_TEXT = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?(?![\w.]*\d)")
_HEX_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64}|[0-9A-Fa-f]{128})(?![0-9A-Za-z])"
)
_PHONE_LIKE = re.compile(r"(?:tel:)?[+(]?\d[\d\s().\-/\u00a0]{0,40}", re.IGNORECASE)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
# A URL with an ASCII host name, and no credentials, port, fragment or empty query: most
# URLs, canonicalised without urllib (see _simple_url_keys).
_SIMPLE_URL = re.compile(
    r"(?P<scheme>[A-Za-z]+)://(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)"
    r"(?P<path>/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?"
    r"(?:\?(?P<query>[A-Za-z0-9._~!$&'()*+,;=:@%/?-]+))?"
)
_TRAILING = ".,;:!?)]}'\""
_TELEGRAM_HOSTS: Final = frozenset(("t.me", "telegram.me", "www.t.me", "telegram.dog"))
# Telegram paths that are not account names (invitations, stickers, private chats...).
_TELEGRAM_RESERVED: Final = frozenset(
    ("joinchat", "addstickers", "addemoji", "addlist", "share", "proxy", "socks", "c", "iv")
)
_DEFAULT_PORTS: Final = {"http": 80, "https": 443, "ftp": 21}

# A STIX comparison `type:path = 'value'` or `type:path IN ('a', 'b')`; NOT and other
# operators are left out: they do not say the object holds the value.
_STRING = r"'(?:[^'\\]|\\.)*'"
_PATH = r"[A-Za-z0-9_-]+:(?:[A-Za-z0-9_.\[\]*-]|'[A-Za-z0-9_-]{1,40}')+"
_COMPARISON = re.compile(
    rf"(?P<path>{_PATH})\s*(?:==?\s*(?P<one>{_STRING})"
    rf"|\s+IN\s*\(\s*(?P<set>{_STRING}(?:\s*,\s*{_STRING})*)\s*\))"
)
_QUOTED = re.compile(_STRING)
_HASH_PATH = re.compile(r"(?:^|\.)hashes\.'?([A-Za-z0-9-]{2,10})'?$")
_REF_VALUE = re.compile(r"_refs?(?:\[[^\]]*\])?\.value$")
_EMAIL_PATHS = re.compile(r"email-addr:value|email-message:\w+_refs?(?:\[[^\]]*\])?\.value")


def make_key(kind: str, value: str) -> str:
    """Join a kind and a canonical value into a key, as a digest when it is very long."""
    key = f"{kind}:{value}"
    if len(key) > _MAX_KEY:
        return f"{kind}:sha256:{hashlib.sha256(value.encode()).hexdigest()}"
    return key


# -- one value -------------------------------------------------------------------------


def phone_key(text: str, region: str) -> str | None:
    """Return the key of a phone number (E.164), or None if it is not a possible one."""
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
    if not _SCHEME.match(value):
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
    if not _SCHEME.match(value):
        return []
    try:
        host = urllib.parse.urlsplit(value).hostname or ""
    except ValueError:
        return []
    return [key] if (key := host_key(host)) else []


def _url_found(text: str, narrow: bool, wide: bool) -> list[str | None]:
    """:func:`url_keys` when ``narrow`` and :func:`url_host_keys` when ``wide``, at once."""
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
    address = _address(text)
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


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = text.strip().strip("[]")
    if not value or len(value) > 45 or not _ADDRESS_CHARS.fullmatch(value):
        return None
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def ip_key(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Return the fixed-width key of an IP address (numeric order is key order)."""
    if isinstance(address, ipaddress.IPv4Address):
        return f"{IPV4}:{_padded(address)}"
    return f"{IPV6}:{address.exploded}"


def network_key(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> str | None:
    """Return the key of a network: an address key for /32 and /128, None when too wide."""
    if network.prefixlen == network.max_prefixlen:
        return ip_key(network.network_address)
    if network.prefixlen < MIN_PREFIX[network.version]:
        return None
    if isinstance(network, ipaddress.IPv4Network):
        return f"{CIDR4}:{_padded(network.network_address)}/{network.prefixlen}"
    return f"{CIDR6}:{network.network_address.exploded}/{network.prefixlen}"


def _padded(address: ipaddress.IPv4Address) -> str:
    return ".".join(f"{int(part):03d}" for part in str(address).split("."))


_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_DOTTED_QUAD = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")
# The octets _OCTET matches (0 to 255, no leading zero), written at fixed width.
_PADDED_OCTETS: Final = {str(n): f"{n:03d}" for n in range(256)}


def address_keys(text: str) -> list[str]:
    """Return the key of an IP address or network (``10.0.0.1``, ``10.0.0.0/24``), if any."""
    value = text.strip()
    parts = value.split(".")
    if len(parts) == 4:  # the common case, without building an ipaddress object
        a, b, c, d = parts
        padded = _PADDED_OCTETS
        if a in padded and b in padded and c in padded and d in padded:  # _DOTTED_QUAD
            return [f"{IPV4}:{padded[a]}.{padded[b]}.{padded[c]}.{padded[d]}"]
    if "/" not in value:
        address = _address(value)
        return [ip_key(address)] if address is not None else []
    if len(value) > 50 or not _ADDRESS_CHARS.fullmatch(value.replace("/", "")):
        return []
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return []
    key = network_key(network)
    return [key] if key else []


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


def display_key(key: str) -> str:
    """Show a key as people write it: ``ip:10.0.0.1``, ``cidr:10.0.0.0/24``."""
    kind, _, value = key.partition(":")
    if kind in (IPV4, IPV6):
        return f"ip:{ipaddress.ip_address(_unpadded(value))}"
    if kind in (CIDR4, CIDR6):
        address, _, length = value.partition("/")
        return f"cidr:{ipaddress.ip_address(_unpadded(address))}/{length}"
    return key


def _unpadded(value: str) -> str:
    if "." in value:
        return ".".join(str(int(part)) for part in value.split("."))
    return value


def related_keys(key: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Return what a key correlates with: keys equal to one of a list, or inside a range.

    An address correlates with itself and with the networks that hold it (one key per
    prefix length); a network with itself, the wider networks holding it, and (one key
    range each) the addresses and narrower networks inside it. Any other key correlates
    with itself only. Ranges are inclusive.
    """
    kind, _, value = key.partition(":")
    if kind in (IPV4, IPV6):
        address = ipaddress.ip_address(_unpadded(value))
        return [key, *_wider(address, address.max_prefixlen)], []
    if kind in (CIDR4, CIDR6):
        start, _, length = value.partition("/")
        network = ipaddress.ip_network(f"{_unpadded(start)}/{length}")
        first, last = ip_key(network.network_address), ip_key(network.broadcast_address)
        within = CIDR4 if network.version == 4 else CIDR6
        ranges = [
            (first, last),
            (f"{within}:{first.partition(':')[2]}/", f"{within}:{last.partition(':')[2]}/~"),
        ]
        return [key, *_wider(network.network_address, network.prefixlen)], ranges
    return [key], []


def _wider(address: ipaddress.IPv4Address | ipaddress.IPv6Address, below: int) -> list[str]:
    keys = []
    for length in range(MIN_PREFIX[address.version], below):
        key = network_key(ipaddress.ip_network(f"{address}/{length}", strict=False))
        if key:
            keys.append(key)
    return keys


def _telegram_handle(host: str, path: str) -> str | None:
    if host not in _TELEGRAM_HOSTS:
        return None
    segments = [s for s in path.split("/") if s]
    if segments and segments[0] == "s":  # t.me/s/name: the web preview of a channel
        segments = segments[1:]
    if not segments or segments[0] in _TELEGRAM_RESERVED or segments[0].startswith("+"):
        return None
    name = segments[0]
    return handle_key(name) if _HANDLE.fullmatch(name) else None


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
        return _required(handle_key(text) if _HANDLE.fullmatch(text[1:]) else None, text, HANDLE)
    telegram = _telegram_link(text)
    if telegram:
        return telegram
    if "@" in text and not _SCHEME.match(text):
        return _required(email_key(text), text, EMAIL)
    if _SCHEME.match(text):
        return _required(_first(url_keys(text)), text, URL)
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
            return _required(_first(address_keys(value)), value, IPV4)
        return _required(hash_key(kind, value), value, kind)
    found = _first(address_keys(text))
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
        return _required(_first(url_keys(rest)), rest, URL)
    return _required(handle_key(rest), rest, HANDLE)


def _telegram_link(text: str) -> str | None:
    """Return the handle key of a Telegram link, with or without its scheme."""
    link = text if _SCHEME.match(text) else f"https://{text}"
    if not re.match(r"(?i)(?:[a-z]+://)?(?:www\.)?(?:t\.me|telegram\.me|telegram\.dog)/", text):
        return None
    keys = url_keys(link)
    return keys[1] if len(keys) > 1 else None


def _first(keys: list[str]) -> str | None:
    return keys[0] if keys else None


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


# -- a whole object --------------------------------------------------------------------

# What _sco_keys reads besides the type; what _free_text reads (and an identity's name).
_SCO_PROPERTIES: Final = frozenset(("value", "account_login", "hashes", *PHONE_PROPERTIES))
_TEXT_PROPERTY_SET: Final = frozenset(TEXT_PROPERTIES)
_PHONE_PROPERTY_SET: Final = frozenset(PHONE_PROPERTIES)
_READ_PROPERTIES: Final = _SCO_PROPERTIES | _TEXT_PROPERTY_SET
# Simple patterns: comparisons `type:path = 'value'` and `type:path IN ('a', 'b')` (paths
# and strings that _COMPARISON takes, no escape in the strings), joined by AND and OR,
# within brackets joined by AND and OR. In such a pattern, _COMPARISON finds exactly these
# comparisons, with the same groups: a match starts with a path (letters, digits, `_`, `-`
# up to a colon), which neither the brackets, AND, OR nor spaces between comparisons can
# begin, and only one end of a path is followed by a space or `=`. (The possessive `++`
# and `*+` only spare backtracking: what follows them is never a character they take.)
_TIGHT_PATH = r"[A-Za-z0-9_-]++:[A-Za-z0-9_.\[\]*-]++(?:'[A-Za-z0-9_-]{1,40}')?"
_TIGHT_STRING = r"'[^'\\]*+'"
_TIGHT_SET = rf"{_TIGHT_STRING}(?:, ?{_TIGHT_STRING})*"
_TIGHT_COMPARISON = re.compile(
    rf"({_TIGHT_PATH})(?: ?==? ?({_TIGHT_STRING})| IN \(({_TIGHT_SET})\))"
)
_ANY_TIGHT = rf"{_TIGHT_PATH}(?: ?==? ?{_TIGHT_STRING}| IN \({_TIGHT_SET}\))"
_TIGHT_OBSERVATION = rf"\[{_ANY_TIGHT}(?: (?:AND|OR) {_ANY_TIGHT})*\]"
_SIMPLE_PATTERN = re.compile(rf"{_TIGHT_OBSERVATION}(?: (?:AND|OR) {_TIGHT_OBSERVATION})*")
# The most common of them, one comparison for equality: `[type:path = 'value']`.
_ONE_COMPARISON = re.compile(rf"\[({_TIGHT_PATH}) ?==? ?'([^'\\]*+)'\]")
# The values of the strings of a simple IN set, without their quotes.
_TIGHT_VALUE = re.compile(r"'([^'\\]*+)'")
_DIGIT = re.compile(r"\d")

# How the value compared at one pattern path gives keys (None: not a key), for the watch
# kinds from (value, region), for the correlation-only kinds from the value.
_NarrowRule = Callable[[str, str], Sequence[str | None]]
_WideRule = Callable[[str], Sequence[str | None]]
# The rules of the paths seen, a bounded cache.
_RULES: dict[str, tuple[_NarrowRule | None, _WideRule | None]] = {}
_MAX_RULES: Final = 1024
_MAX_RULE_PATH: Final = 100


def object_observable_keys(
    obj: Mapping[str, Any], region: str, kinds: frozenset[str] = KINDS
) -> set[str]:
    """Return the observable keys of a STIX object, of the kinds asked for only."""
    if not kinds:
        return set()
    # What each part finds, unsorted by kind (a part skips the kinds it can tell are not
    # asked for), then the keys of the kinds asked for, at once.
    found: list[str | None] = []
    kind = obj.get("type")
    reads = not _READ_PROPERTIES.isdisjoint(obj)  # most SDOs, indicators too: nothing
    if reads and not _SCO_PROPERTIES.isdisjoint(obj):
        found += _sco_keys(obj, region, kinds)
    if kind == "indicator" and obj.get("pattern_type") == "stix":
        pattern = obj.get("pattern")
        if isinstance(pattern, str):
            found += _pattern_found(pattern[:MAX_TEXT], region, _is_wide(kinds))
    if kind == "identity" or (reads and not _TEXT_PROPERTY_SET.isdisjoint(obj)):
        found += _text_found(_free_text(obj), region, kinds)
    return _kept(found, kinds)


def _is_wide(kinds: frozenset[str]) -> bool:
    """Tell whether kinds other than the watch kinds are asked for."""
    return kinds is CORRELATION_KINDS or not kinds <= KINDS


def _kept(found: Iterable[str | None], kinds: frozenset[str]) -> set[str]:
    """Return the keys found (None: not a key) that are of the kinds asked for."""
    if kinds is CORRELATION_KINDS or kinds >= CORRELATION_KINDS:  # every kind there is
        keys: set[Any] = set(found)
        keys.discard(None)
        return keys
    return {key for key in found if key is not None and key.split(":", 1)[0] in kinds}


def _sco_keys(obj: Mapping[str, Any], region: str, kinds: frozenset[str]) -> list[str | None]:
    kind = obj.get("type")
    found: list[str | None] = []
    value = obj.get("value")
    if kind == "email-addr" and EMAIL in kinds and isinstance(value, str):
        found.append(email_key(value))
    elif kind == "url" and isinstance(value, str):  # and its host, of the wide kinds
        found += _url_found(value, URL in kinds or HANDLE in kinds, _is_wide(kinds))
    elif kind == "user-account" and HANDLE in kinds:
        login = obj.get("account_login")
        found.append(handle_key(login) if isinstance(login, str) else None)
    if PHONE in kinds:
        if isinstance(kind, str) and "phone" in kind and isinstance(value, str):
            found.append(phone_key(value, region))
        if not _PHONE_PROPERTY_SET.isdisjoint(obj):
            for prop in PHONE_PROPERTIES:
                found += [phone_key(v, region) for v in _strings(obj.get(prop))]
    if _is_wide(kinds):
        found += _wide_sco_keys(obj, kind, value)
    return found


def _wide_sco_keys(obj: Mapping[str, Any], kind: Any, value: Any) -> list[str | None]:
    """Keys of the correlation-only kinds of an SCO: domains, addresses, hashes."""
    found: list[str | None] = []
    if isinstance(value, str):
        if kind == "domain-name":
            found.append(domain_key(value))
        elif kind in ("ipv4-addr", "ipv6-addr"):
            found += address_keys(value)
    hashes = obj.get("hashes")
    if isinstance(hashes, dict):
        for algorithm, digest in list(hashes.items())[:MAX_VALUES]:
            if isinstance(algorithm, str) and isinstance(digest, str):
                found.append(hash_key(algorithm, digest))
    return found


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value[:MAX_VALUES] if isinstance(v, str)]
    return []


def pattern_keys(pattern: str, region: str, kinds: frozenset[str] = KINDS) -> set[str]:
    """Return the keys of the values a STIX pattern compares for equality (``=``, ``IN``)."""
    return _kept(_pattern_found(pattern, region, _is_wide(kinds)), kinds)


def _pattern_found(pattern: str, region: str, wide: bool) -> list[str | None]:
    """Keys of a pattern: of the watch kinds, and of all kinds when ``wide``."""
    # Strings of simple patterns have no escape: their values are between the quotes.
    one = _ONE_COMPARISON.fullmatch(pattern)
    if one is not None:
        path, value = one.groups()
        return _comparison_keys(path, value, region, wide)
    found: list[str | None] = []
    if _SIMPLE_PATTERN.fullmatch(pattern):
        for path, literal, members in _TIGHT_COMPARISON.findall(pattern):
            for value in (
                _TIGHT_VALUE.findall(members)[:MAX_VALUES] if members else (literal[1:-1],)
            ):
                found += _comparison_keys(path, value, region, wide)
        return found
    for match in _COMPARISON.finditer(pattern):
        path, literal, members = match.group("path", "one", "set")
        literals = [literal] if literal else []
        if members:
            literals = _QUOTED.findall(members)[:MAX_VALUES]
        for each in literals:
            found += _comparison_keys(path, _unquote(each), region, wide)
    return found


def _comparison_keys(path: str, value: str, region: str, wide: bool) -> list[str | None]:
    """Keys of one comparison: of the watch kinds, and of all kinds when ``wide``."""
    if path == "url:value":  # url_keys, and url_host_keys when wide: the URL split once
        return _url_found(value, True, wide)
    narrow, broad = _RULES.get(path) or _path_rules(path)
    found: list[str | None] = [] if narrow is None else [*narrow(value, region)]
    if wide and broad is not None:
        found += broad(value)
    return found


def _path_rules(path: str) -> tuple[_NarrowRule | None, _WideRule | None]:
    """Return the rules of a pattern path (not ``url:value``), cached: the path decides."""
    rules = (_narrow_rule(path), _wide_rule(path))
    if len(_RULES) < _MAX_RULES and len(path) <= _MAX_RULE_PATH:
        _RULES[path] = rules
    return rules


def _narrow_rule(path: str) -> _NarrowRule | None:
    """The rule giving the watch kinds' keys of the values compared at a path."""
    if _EMAIL_PATHS.fullmatch(path):
        return _email_rule
    if path == "user-account:account_login":
        return _handle_rule
    if "phone" in path:
        return _phone_rule
    return None


def _wide_rule(path: str) -> _WideRule | None:
    """The rule giving the correlation-only kinds' keys of the values compared at a path."""
    object_type, _, prop = path.partition(":")
    if prop == "value" and object_type == "domain-name":
        return _domain_rule
    if prop == "value" and object_type in ("ipv4-addr", "ipv6-addr"):
        return address_keys
    algorithm = _HASH_PATH.search(prop)
    if algorithm is not None:
        return _hash_rule(algorithm.group(1))
    if _REF_VALUE.search(prop) and not _EMAIL_PATHS.fullmatch(path):
        # network-traffic:dst_ref.value and the like: an address or a domain
        return _host_rule
    return None


def _email_rule(value: str, region: str) -> Sequence[str | None]:
    return [email_key(value)]


def _handle_rule(value: str, region: str) -> Sequence[str | None]:
    return [handle_key(value)]


def _phone_rule(value: str, region: str) -> Sequence[str | None]:
    return [phone_key(value, region)]


def _domain_rule(value: str) -> Sequence[str | None]:
    return [domain_key(value)]


def _host_rule(value: str) -> Sequence[str | None]:
    return [_first(address_keys(value)) or domain_key(value)]


def _hash_rule(algorithm: str) -> _WideRule:
    def rule(value: str) -> Sequence[str | None]:
        return [hash_key(algorithm, value)]

    return rule


def _unquote(literal: str) -> str:
    if "\\" not in literal:
        return literal[1:-1]
    return literal[1:-1].replace("\\'", "'").replace("\\\\", "\\")


def _free_text(obj: Mapping[str, Any]) -> str:
    parts: list[str] = []
    budget = MAX_TEXT
    props = TEXT_PROPERTIES + (("name",) if obj.get("type") == "identity" else ())
    for prop in props:
        value = obj.get(prop)
        if isinstance(value, str) and budget > 0:
            parts.append(value[:budget])
            budget -= len(parts[-1])
    return "\n".join(parts)


def text_keys(text: str, region: str, kinds: frozenset[str] = KINDS) -> set[str]:
    """Return the keys of phone numbers, addresses, links and handles found in free text."""
    return _kept(_text_found(text, region, kinds), kinds)


def _text_found(text: str, region: str, kinds: frozenset[str]) -> set[str]:
    """Keys in free text, of the kinds asked for and maybe others."""
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
    if _is_wide(kinds):
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
    matcher = phonenumbers.PhoneNumberMatcher(
        text, region, leniency=phonenumbers.Leniency.POSSIBLE, max_tries=MAX_PHONE_TRIES
    )
    for match in matcher:
        if _DOTTED_QUAD.fullmatch(match.raw_string.strip()):
            continue  # 198.51.100.7 is an IPv4 address, not a phone number
        yield make_key(
            PHONE, phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        )
