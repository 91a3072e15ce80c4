"""Observables as watch keys: phone numbers, e-mail addresses, URLs and account handles.

A key is ``KIND:VALUE`` in one canonical form, so that a watch and an object meet on an
exact, indexed comparison:

- ``phone:+33612345678``: E.164. A number written without its country code
  (``06 12 34 56 78``) is read in the node's phone region (``PASSERELLE_PHONE_REGION``,
  default FR); ``0033...``, ``+33 (0)6...`` and ``tel:`` URIs are understood.
- ``email:x@y.fr``: the whole address lower-cased (``mailto:`` dropped).
- ``url:https://example.org/a``: scheme and host lower-cased (IDN hosts in punycode),
  default port and ``#fragment`` dropped, path and query kept as written except that a
  trailing ``/`` is dropped, so ``https://x.fr/``, ``https://x.fr`` and ``HTTPS://X.FR``
  are one key while ``https://x.fr/a?b=1`` differs from ``https://x.fr/a``.
- ``handle:name``: an account name lower-cased, from ``@name``, a Telegram link
  (``t.me/name``, which also keeps its ``url:`` key) or a user-account's
  ``account_login``.

From a STIX object, keys come from SCO values, from the quoted values of an indicator's
STIX pattern, and from phone numbers, addresses, links and ``@handles`` in its free text;
the text scanned is capped so that a hostile object costs a bounded time.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from collections.abc import Iterator, Mapping
from typing import Any, Final

import phonenumbers

from passerelle.errors import BadInput
from passerelle.settings import ExchangeSettings

PHONE: Final = "phone"
EMAIL: Final = "email"
URL: Final = "url"
HANDLE: Final = "handle"
KINDS: Final = frozenset((PHONE, EMAIL, URL, HANDLE))

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
_PHONE_LIKE = re.compile(r"(?:tel:)?[+(]?\d[\d\s().\-/\u00a0]{0,40}", re.IGNORECASE)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
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
_PATH = r"[A-Za-z0-9_-]+:[A-Za-z0-9_.\[\]*-]+"
_COMPARISON = re.compile(
    rf"(?P<path>{_PATH})\s*(?:==?\s*(?P<one>{_STRING})"
    rf"|\s+IN\s*\(\s*(?P<set>{_STRING}(?:\s*,\s*{_STRING})*)\s*\))"
)
_QUOTED = re.compile(_STRING)
_EMAIL_PATHS = re.compile(r"email-addr:value|email-message:\w+_refs?(?:\[[^\]]*\])?\.value")


def node_phone_region() -> str:
    """Return the region national phone numbers are read in (PASSERELLE_PHONE_REGION)."""
    return ExchangeSettings.from_env().phone_region


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
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        host = host.lower()
    host = host.lower()
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


def observable_key(value: str, region: str) -> str:
    """Classify and normalise an observable a user typed into its key.

    An explicit kind may lead the value (``phone:``, ``email:``, ``url:``, ``handle:``);
    otherwise the form tells: ``@name`` a handle, ``t.me/name`` a Telegram handle, an
    address with ``@`` an e-mail, ``scheme://...`` a URL, digits a phone number.
    """
    text = value.strip()
    if not text:
        raise BadInput("an observable needs a value")
    kind, sep, rest = text.partition(":")
    if sep and kind.lower() in KINDS and not rest.startswith("//"):
        return _explicit_key(kind.lower(), rest, region)
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
    raise BadInput(
        f"cannot tell what {_shown(text)} is: give a phone number (+33 6 12 34 56 78, "
        "or 06 12 34 56 78 in the node's region), an e-mail address, a URL with its scheme "
        "(https://...), a handle (@name, t.me/name), or prefix it with phone:, email:, url: "
        "or handle:"
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
        }[kind]
        raise BadInput(f"{_shown(text)} is not {what}")
    return key


def _shown(text: str) -> str:
    return repr(text[:60] + ("..." if len(text) > 60 else ""))


# -- a whole object --------------------------------------------------------------------


def object_observable_keys(
    obj: Mapping[str, Any], region: str, kinds: frozenset[str] = KINDS
) -> set[str]:
    """Return the observable keys of a STIX object, of the kinds asked for only."""
    keys: set[str] = set()
    if not kinds:
        return keys
    keys |= _sco_keys(obj, region, kinds)
    if obj.get("type") == "indicator" and obj.get("pattern_type") == "stix":
        pattern = obj.get("pattern")
        if isinstance(pattern, str):
            keys |= pattern_keys(pattern[:MAX_TEXT], region, kinds)
    keys |= text_keys(_free_text(obj), region, kinds)
    return keys


def _sco_keys(obj: Mapping[str, Any], region: str, kinds: frozenset[str]) -> set[str]:
    kind = obj.get("type")
    found: list[str | None] = []
    value = obj.get("value")
    if kind == "email-addr" and EMAIL in kinds and isinstance(value, str):
        found.append(email_key(value))
    elif kind == "url" and kinds & {URL, HANDLE} and isinstance(value, str):
        found += url_keys(value)
    elif kind == "user-account" and HANDLE in kinds:
        login = obj.get("account_login")
        found.append(handle_key(login) if isinstance(login, str) else None)
    if PHONE in kinds:
        if isinstance(kind, str) and "phone" in kind and isinstance(value, str):
            found.append(phone_key(value, region))
        for prop in PHONE_PROPERTIES:
            found += [phone_key(v, region) for v in _strings(obj.get(prop))]
    return {key for key in found if key is not None and key.split(":", 1)[0] in kinds}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value[:MAX_VALUES] if isinstance(v, str)]
    return []


def pattern_keys(pattern: str, region: str, kinds: frozenset[str] = KINDS) -> set[str]:
    """Return the keys of the values a STIX pattern compares for equality (``=``, ``IN``)."""
    keys: set[str] = set()
    for match in _COMPARISON.finditer(pattern):
        path = match.group("path")
        literals = [match.group("one")] if match.group("one") else []
        if match.group("set"):
            literals = _QUOTED.findall(match.group("set"))[:MAX_VALUES]
        for literal in literals:
            keys |= _path_keys(path, _unquote(literal), region)
    return {key for key in keys if key.split(":", 1)[0] in kinds}


def _unquote(literal: str) -> str:
    return literal[1:-1].replace("\\'", "'").replace("\\\\", "\\")


def _path_keys(path: str, value: str, region: str) -> set[str]:
    found: list[str | None] = []
    if _EMAIL_PATHS.fullmatch(path):
        found.append(email_key(value))
    elif path == "url:value":
        found += url_keys(value)
    elif path == "user-account:account_login":
        found.append(handle_key(value))
    elif "phone" in path:
        found.append(phone_key(value, region))
    return {key for key in found if key is not None}


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
    text = text[:MAX_TEXT]
    keys: set[str] = set()
    if not text:
        return keys
    if PHONE in kinds:
        keys |= set(_phones_in(text, region))
    if EMAIL in kinds and "@" in text:
        keys |= {make_key(EMAIL, m.group().lower()) for m in _EMAIL.finditer(text)}
    if kinds & {URL, HANDLE}:
        for match in _URL_IN_TEXT.finditer(text):
            keys.update(url_keys(match.group().rstrip(_TRAILING)))
        for match in _TELEGRAM_IN_TEXT.finditer(text):
            keys.update(url_keys("https://" + match.group().rstrip(_TRAILING)))
    if HANDLE in kinds and "@" in text:
        keys |= {make_key(HANDLE, m.group(1).lower()) for m in _HANDLE_IN_TEXT.finditer(text)}
    return {key for key in keys if key.split(":", 1)[0] in kinds}


def _phones_in(text: str, region: str) -> Iterator[str]:
    matcher = phonenumbers.PhoneNumberMatcher(
        text, region, leniency=phonenumbers.Leniency.POSSIBLE, max_tries=MAX_PHONE_TRIES
    )
    for match in matcher:
        yield make_key(
            PHONE, phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        )
