"""Correlation keys on the fast paths are exactly those of the straightforward reading.

The fast paths (simple STIX patterns read without the general comparison scan, dotted
quads and common URLs without ipaddress and urllib, ASCII domains without the IDNA codec,
objects skipped or read by the properties they hold, and ingest indexing the objects it
already parsed) must not change any key. The reference below is the reading as it was
written before them; a generated corpus (common shapes and edge cases: escaped quotes,
IPv6, networks, upper-case hashes, IDNs, odd URLs, non-string values, patterns that are not
STIX, workflow feedback) is read both ways, value by value, pattern by pattern, object by
object, and through ``index_new_versions`` on each backend.
"""

from __future__ import annotations

import ipaddress
import random
import re
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from sqlalchemy import delete, select

from passerelle.correlation import index
from passerelle.keys import observables as obs
from passerelle.keys.observables import networks as obs_networks
from passerelle.keys.observables import patterns as obs_patterns
from passerelle.keys.observables import text as obs_text
from passerelle.keys.observables import values as obs_values
from passerelle.stix.markings import HANDLING_EXTENSION_ID
from passerelle.store.database import Database
from passerelle.store.schema import object_keys

REGION = "FR"
# Sets of kinds asked for: watches, correlation, and partial sets in between.
KIND_SETS = [
    obs.KINDS,
    obs.CORRELATION_KINDS,
    frozenset({"email"}),
    frozenset({"url", "domain"}),
    frozenset({"ipv4", "cidr4", "sha256"}),
    obs.KINDS | {"domain", "md5"},
    obs.CORRELATION_KINDS | {"ref"},
]


# -- the reference: the straightforward reading --------------------------------------------

_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_QUAD = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")


def ref_address_keys(text: str) -> list[str]:
    value = text.strip()
    quad = _QUAD.fullmatch(value)
    if quad is not None:
        return ["ipv4:" + ".".join(f"{int(octet):03d}" for octet in quad.groups())]
    if "/" not in value:
        address = obs_networks.address_of(value)
        return [obs.ip_key(address)] if address is not None else []
    if len(value) > 50 or not obs_networks._ADDRESS_CHARS.fullmatch(value.replace("/", "")):
        return []
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return []
    key = obs.network_key(network)
    return [key] if key else []


def ref_domain_key(text: str) -> str | None:
    value = text.strip().rstrip(".").lower()
    if not value or len(value) > 253 or "." not in value:
        return None
    try:
        value = value.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    if not obs_values._DOMAIN.fullmatch(value) or obs_networks.address_of(value) is not None:
        return None
    return obs.make_key("domain", value)


def ref_host_key(text: str) -> str | None:
    address = obs_networks.address_of(text)
    if address is not None:
        return obs.ip_key(address)
    return ref_domain_key(text)


def ref_url_keys(text: str) -> list[str]:
    value = text.strip()
    if not obs_values.SCHEME.match(value):
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
    if port is not None and port != obs_values._DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    path = parts.path.rstrip("/")
    canonical = urllib.parse.urlunsplit((scheme, netloc, path, parts.query, ""))
    keys = [obs.make_key("url", canonical)]
    handle = obs_values._telegram_handle(host, path)
    if handle:
        keys.append(handle)
    return keys


def ref_url_host_keys(text: str) -> list[str]:
    value = text.strip()
    if not obs_values.SCHEME.match(value):
        return []
    try:
        host = urllib.parse.urlsplit(value).hostname or ""
    except ValueError:
        return []
    return [key] if (key := ref_host_key(host)) else []


def _of_kinds(keys: set[str | None], kinds: frozenset[str]) -> set[str]:
    return {key for key in keys if key is not None and key.split(":", 1)[0] in kinds}


def ref_pattern_keys(pattern: str, kinds: frozenset[str]) -> set[str]:
    keys: set[str | None] = set()
    for match in obs_patterns._COMPARISON.finditer(pattern):
        path = match.group("path")
        literals = [match.group("one")] if match.group("one") else []
        if match.group("set"):
            literals = obs_patterns._QUOTED.findall(match.group("set"))[: obs.MAX_VALUES]
        for literal in literals:
            value = literal[1:-1].replace("\\'", "'").replace("\\\\", "\\")
            keys |= _ref_path_keys(path, value)
            if kinds - obs.KINDS:
                keys |= _ref_wide_path_keys(path, value)
    return _of_kinds(keys, kinds)


def _ref_path_keys(path: str, value: str) -> set[str | None]:
    if obs_patterns._EMAIL_PATHS.fullmatch(path):
        return {obs.email_key(value)}
    if path == "url:value":
        return set(ref_url_keys(value))
    if path == "user-account:account_login":
        return {obs.handle_key(value)}
    if "phone" in path:
        return {obs.phone_key(value, REGION)}
    return set()


def _ref_wide_path_keys(path: str, value: str) -> set[str | None]:
    object_type, _, prop = path.partition(":")
    hashed = obs_patterns._HASH_PATH.search(prop)
    if prop == "value" and object_type == "domain-name":
        return {ref_domain_key(value)}
    if prop == "value" and object_type in ("ipv4-addr", "ipv6-addr"):
        return set(ref_address_keys(value))
    if path == "url:value":
        return set(ref_url_host_keys(value))
    if hashed:
        return {obs.hash_key(hashed.group(1), value)}
    if obs_patterns._REF_VALUE.search(prop) and not obs_patterns._EMAIL_PATHS.fullmatch(path):
        addresses = ref_address_keys(value)
        return {addresses[0] if addresses else ref_domain_key(value)}
    return set()


def ref_text_keys(text: str, kinds: frozenset[str]) -> set[str]:
    text = text[: obs.MAX_TEXT]
    keys: set[str | None] = set()
    if not text:
        return set()
    if "phone" in kinds:
        keys |= set(obs_text._phones_in(text, REGION))
    if "email" in kinds and "@" in text:
        keys |= {obs.make_key("email", m.group().lower()) for m in obs_text._EMAIL.finditer(text)}
    if kinds & {"url", "handle"}:
        for match in obs_text._URL_IN_TEXT.finditer(text):
            keys.update(ref_url_keys(match.group().rstrip(obs_text._TRAILING)))
        for match in obs_text._TELEGRAM_IN_TEXT.finditer(text):
            keys.update(ref_url_keys("https://" + match.group().rstrip(obs_text._TRAILING)))
    if "handle" in kinds and "@" in text:
        for match in obs_text._HANDLE_IN_TEXT.finditer(text):
            keys.add(obs.make_key("handle", match.group(1).lower()))
    if kinds - obs.KINDS:
        for match in obs_text._URL_IN_TEXT.finditer(text) if "://" in text else ():
            keys.update(ref_url_host_keys(match.group().rstrip(obs_text._TRAILING)))
        for match in obs_text._IPV4_IN_TEXT.finditer(text) if "." in text else ():
            keys.update(ref_address_keys(match.group()))
        keys |= {obs.bare_hash_key(m.group()) for m in obs_text._HEX_IN_TEXT.finditer(text)}
    return _of_kinds(keys, kinds)


def ref_object_keys(obj: dict[str, Any], kinds: frozenset[str]) -> set[str]:
    if not kinds:
        return set()
    keys = _ref_sco_keys(obj, kinds)
    if obj.get("type") == "indicator" and obj.get("pattern_type") == "stix":
        pattern = obj.get("pattern")
        if isinstance(pattern, str):
            keys |= ref_pattern_keys(pattern[: obs.MAX_TEXT], kinds)
    parts: list[str] = []
    budget = obs.MAX_TEXT
    props = obs.TEXT_PROPERTIES + (("name",) if obj.get("type") == "identity" else ())
    for prop in props:
        value = obj.get(prop)
        if isinstance(value, str) and budget > 0:
            parts.append(value[:budget])
            budget -= len(parts[-1])
    return keys | ref_text_keys("\n".join(parts), kinds)


def _ref_sco_keys(obj: dict[str, Any], kinds: frozenset[str]) -> set[str]:
    kind, value = obj.get("type"), obj.get("value")
    found: set[str | None] = set()
    if kind == "email-addr" and "email" in kinds and isinstance(value, str):
        found.add(obs.email_key(value))
    elif kind == "url" and kinds & {"url", "handle"} and isinstance(value, str):
        found.update(ref_url_keys(value))
    elif kind == "user-account" and "handle" in kinds:
        login = obj.get("account_login")
        found.add(obs.handle_key(login) if isinstance(login, str) else None)
    if "phone" in kinds:
        if isinstance(kind, str) and "phone" in kind and isinstance(value, str):
            found.add(obs.phone_key(value, REGION))
        for prop in obs.PHONE_PROPERTIES:
            listed = obj.get(prop)
            strings = [listed] if isinstance(listed, str) else []
            if isinstance(listed, list):
                strings = [v for v in listed[: obs.MAX_VALUES] if isinstance(v, str)]
            found.update(obs.phone_key(v, REGION) for v in strings)
    if kinds - obs.KINDS:
        if isinstance(value, str) and kind == "domain-name":
            found.add(ref_domain_key(value))
        elif isinstance(value, str) and kind in ("ipv4-addr", "ipv6-addr"):
            found.update(ref_address_keys(value))
        elif isinstance(value, str) and kind == "url":
            found.update(ref_url_host_keys(value))
        hashes = obj.get("hashes")
        if isinstance(hashes, dict):
            for algorithm, digest in list(hashes.items())[: obs.MAX_VALUES]:
                if isinstance(algorithm, str) and isinstance(digest, str):
                    found.add(obs.hash_key(algorithm, digest))
    return _of_kinds(found, kinds)


def ref_version_keys(body: str) -> list[str]:
    """The keys a version's body gives: the byte scan, the parse, the version rules."""
    if not index._may_carry(body):
        return []
    obj = orjson.loads(body)
    if not isinstance(obj, dict) or obj.get("type") in index._NO_OBSERVABLES:
        return []
    extensions = obj.get("extensions")
    handling = extensions.get(HANDLING_EXTENSION_ID) if isinstance(extensions, dict) else None
    if isinstance(handling, dict) and "feedback" in handling:
        return []
    return sorted(ref_object_keys(obj, obs.CORRELATION_KINDS))[: index.MAX_KEYS]


# -- the corpus ---------------------------------------------------------------------------

ADDRESSES = [
    "10.0.0.1", "0.0.0.0", "255.255.255.255", "256.1.1.1", "010.0.0.1", "1.2.3", "1.2.3.4.5",
    " 10.0.0.7 ", "10.0.0.0/24", "10.0.0.1/32", "10.0.0.0/7", "10.0.0.0/8", "10.0.0.0/33",
    "2001:db8::1", "2001:DB8::A", "::ffff:10.0.0.1", "2001:db8::/32", "2001:db8::/15",
    "fe80::1%eth0", "[2001:db8::1]", "1.2.3.-4", "\u0661.\u0662.\u0663.\u0664", "+1.2.3.4",
    "1.2.3.04", "",
    "a.b.c.d", "1..2.3", "1.2.3.4\n", "0x1.2.3.4", "192.168.1.1/255.255.255.0", "::", "1.2.3.4/",
]  # fmt: skip
DOMAINS = [
    "Example.ORG", "example.org.", "xn--bcher-kva.example", "bücher.example", "a..b",
    "-a.example", "a-.example", "a" * 63 + ".com", "a" * 64 + ".com", "x.y", "1.2.3.4",
    "localhost", "ex_ample.org", "ex ample.org", "ÉCOLE.fr", "xn--.fr", "example.123",
    "EXAMPLE.XN--P1AI", "例え.テスト", " spaced.example ", "faß.de", ".example", "a.b..",
    "x." + "b" * 250 + ".com", "deadbeef.cafe", "t.me", "ex--ample.org", "a.b-c.d.example",
]  # fmt: skip
URLS = [
    "https://x.fr/a/", "HTTPS://X.FR", "https://x.fr", "https://x.fr/", "http://x.fr:80/a",
    "http://x.fr:8080/a", "https://x.fr:443", "ftp://files.example:21/pub/", "http://x:abc/",
    "http://x.fr:99999/", "http://user:pw@x.fr/a", "http://user@x.fr/", "https://x.fr/a?b=1",
    "https://x.fr/a?b=1#frag", "https://x.fr/a/?", "https://x.fr?q", "https://x.fr/?q=a?b",
    "https://t.me/Cell_Leader/", "https://t.me/s/channel", "https://t.me/joinchat/AAA",
    "https://telegram.me/+invite", "https://www.t.me/Name", "https://t.me/", "t.me/name",
    "http://[::1]:8080/x", "http://[::1/", "http://a_b.example/", "https://ÉX.fr/",
    "https://xn--e1afmkfd.xn--p1ai/", "http://x.fr/%7Euser", " https://x.fr/p ",
    "https://x.fr\n", "http://ex\tample.com/", "mailto:x@y.fr", "https://", "https:///path",
    "http://10.0.0.1/admin", "http://010.0.0.1/", "http://x.fr//double//", "http://X.FR/Path",
    "https://x.fr/a b", "https://x.fr/(a)'b'", "https://x.fr/a;b=c,d", "javascript://x.fr/",
    "https://x.fr/" + "p" * 300, "https://-x.fr/", "https://x..fr/", "https://x.fr./",
    "http://[2001:db8::1]/", "https://x.fr:/", "https://x.fr:0/", "HTTP://t.ME/Abc",
    "https://user:@x.fr/", "http://%41.example/", "https://x.fr/a#", "https://x.fr/a?#f",
]  # fmt: skip
HASHES = [
    "d41d8cd98f00b204e9800998ecf8427e", "D41D8CD98F00B204E9800998ECF8427E", "a" * 40,
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "f" * 128, "abc",
    "g" * 32, " " + "b" * 64 + " ", "0" * 63,
]  # fmt: skip
EMAILS = ["Cell@Example.ORG", "mailto:a@b.fr?subject=x", "not-an-email", "a@gmail.com"]
PHONES = ["06 12 34 56 78", "+33 6 12 34 56 78", "+1 202-555-0143", "12", "tel:+33612345678"]
HANDLES = ["@Abu_X", "abu", "  ", "@", "a b"]
PATHS = [
    "ipv4-addr:value", "ipv6-addr:value", "domain-name:value", "url:value", "email-addr:value",
    "email-message:from_ref.value", "email-message:to_refs[*].value",
    "user-account:account_login", "x-phone:value", "file:hashes.'SHA-256'", "file:hashes.MD5",
    "file:hashes.'SHA-1'", "artifact:hashes.'sha-512'", "file:hashes.'x-custom'",
    "network-traffic:dst_ref.value", "network-traffic:src_ref[*].value", "file:name",
    "x-phone-number:value", "file:parent_directory_ref.path", "email-addr:display_name",
    "x_custom-type:phone_value", "domain-name:resolves_to_refs[*].value",
]  # fmt: skip
TEXTS = [
    "call 06 12 34 56 78 or write cell@example.org",
    "C2 at 198.51.100.7 and 203.0.113.0/24, version 1.2.3.4.5, see http://y.example/b.",
    "hash D41D8CD98F00B204E9800998ECF8427E seen; also " + "f" * 40,
    "contact @Abu_X on t.me/Cell_Leader or https://t.me/s/chan, mail a.b@c.example",
    "nothing here at all, no digits",
    "appeler le 06.12.34.56.78, fax +44 20 7946 0958",
    "numbers \u0660\u0666\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668 elsewhere, \uff11\uff12",
    "visit https://Bücher.example/a?x=1#f and ftp://files.example:2121/pub",
    "",
]  # fmt: skip
FREE = "abcdefghij0123456789._-:/@'\\ "
# Patterns at the edges of the simple ones: escapes, qualifiers, odd spacing, broken ones.
EDGE_PATTERNS = [
    "[email-addr:value = 'o\\'neil@b.fr']",
    "[email-addr:value = 'a\\\\b@c.fr']",
    "[url:value = 'https://x.fr/it\\'s/']",
    "[url:value = 'https://x.fr/a\\\\b']",
    "[ipv4-addr:value IN ('10.0.0.1', 'o\\'x', '10.0.0.3')]",
    "[NOT ipv4-addr:value = '10.0.0.1']",
    "[ipv4-addr:value != '10.0.0.1']",
    "[ipv4-addr:value = '10.0.0.1'] WITHIN 5 SECONDS",
    "[ipv4-addr:value = '10.0.0.1'] FOLLOWEDBY [domain-name:value = 'x.example']",
    "([ipv4-addr:value = '10.0.0.1'] OR [ipv6-addr:value = '2001:db8::1'])",
    "[ ipv4-addr:value = '10.0.0.1' ]",
    "[ipv4-addr:value = '10.0.0.1']\n",
    "[ipv4-addr:value IN ('10.0.0.1','10.0.0.2' )]",
    "[ipv4-addr:value IN ('10.0.0.1')] or [x:y = 'z']",
    "[domain-name:value = 'x.example' AND NOT domain-name:value = 'y.example']",
    "[user-account:account_login = '@Abu_X'] OR [x-phone:value = '06 12 34 56 78']",
    "[network-traffic:dst_ref.value = '198.51.100.7' AND network-traffic:dst_ref.value = 'E.x']",
    "[email-message:from_ref.value = 'A@B.fr'] AND [email-message:to_refs[*].value = 'c@d.fr']",
    "[file:hashes.'SHA-256' = '9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08']",
    "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e' OR file:hashes.'x' = 'ab']",
    "[ipv4-addr:value == '10.0.0.1'] AND [ipv4-addr:value='10.0.0.2']",
    "[ipv4-addr:value  =  '10.0.0.1']",
    "[ipv4-addr:value = '']",
    "[url:value = '']",
    "[ipv4-addr:value LIKE '10.0.0.%']",
    "[ipv4-addr:value = '10.0.0.1' OR]",
    "[ipv4-addr:value = '10.0.0.1'] OR",
    "[ipv4-addr:value IN ()]",
    "[ipv4-addr:value = '10.0.0.1'",
    "ipv4-addr:value = '10.0.0.1'",
    "[a:b[*].c = 'd'] AND [e:f = 'g']",
    "",
    "[]",
]


def values(rng: random.Random) -> str:
    """Return one value of any pool, or a random one."""
    pool = rng.choice([ADDRESSES, DOMAINS, URLS, HASHES, EMAILS, PHONES, HANDLES, None])
    if pool is not None:
        return rng.choice(pool)
    if rng.random() < 0.5:
        octets = [str(rng.randrange(0, 300)) for _ in range(4)]
        if rng.random() < 0.2:
            octets[rng.randrange(4)] = "0" + octets[0]
        tail = f"/{rng.randrange(0, 34)}" if rng.random() < 0.3 else ""
        return ".".join(octets) + tail
    return "".join(rng.choice(FREE) for _ in range(rng.randrange(0, 20)))


def quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def comparison(rng: random.Random, odd: float) -> str:
    """Return a comparison; with probability ``odd``, in a form simple patterns leave out."""
    path, plain = rng.choice(PATHS), rng.random() >= odd
    if rng.random() < 0.25:
        members = [quoted(values(rng)) for _ in range(rng.randrange(1, 4))]
        sep = rng.choice([", ", ","]) if plain else rng.choice([" , ", ",\n"])
        listed = rng.choice([" IN "]) if plain else rng.choice([" IN", "  IN ", " in "])
        return f"{path}{listed}({sep.join(members)})"
    if plain:
        operator = rng.choice([" = ", " = ", "=", " == "])
    else:
        operator = rng.choice(["  = ", " != ", " LIKE ", " MATCHES ", " > "])
    return f"{path}{operator}{quoted(values(rng))}"


def pattern(rng: random.Random) -> str:
    """Return a STIX pattern, simple most of the time, odd some of the time."""
    odd = rng.choice([0.0, 0.0, 0.3])
    observations = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        joined = rng.choice([" AND ", " OR "]).join(
            comparison(rng, odd) for _ in range(rng.choice([1, 1, 2, 3]))
        )
        shape = "[{}]" if rng.random() >= odd else rng.choice(["[ {} ]", "[NOT {}]", "[{}\n]"])
        observations.append(shape.format(joined))
    text = rng.choice([" AND ", " OR "] if rng.random() >= odd else [" FOLLOWEDBY ", "  OR "])
    text = text.join(observations)
    if rng.random() < odd:
        return rng.choice(["({})", "{} WITHIN 5 SECONDS", " {}", "{}\n"]).format(text)
    return text


def text(rng: random.Random) -> str:
    return " ".join(rng.choice([*TEXTS, values(rng)]) for _ in range(rng.randrange(1, 4)))


def sco(rng: random.Random, n: int) -> dict[str, Any]:
    kind = rng.choice(
        ["ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "x-phone", "mac-addr"]
    )
    value: Any = values(rng) if rng.random() < 0.9 else rng.choice([7, None, ["10.0.0.1"]])
    if kind == "url" and rng.random() < 0.6:
        value = rng.choice(URLS)
    return {"type": kind, "spec_version": "2.1", "id": f"{kind}--{n}", "value": value}


def hashed(rng: random.Random, n: int) -> dict[str, Any]:
    hashes: Any = {
        rng.choice(["MD5", "SHA-1", "SHA-256", "sha256", "SHA-512", "x-custom", "'SHA-1'"]): (
            rng.choice(HASHES) if rng.random() < 0.9 else 12
        )
        for _ in range(rng.randrange(1, 4))
    }
    if rng.random() < 0.1:
        hashes = "not a dict"
    kind = rng.choice(["file", "artifact"])
    return {"type": kind, "id": f"{kind}--{n}", "name": "x.exe", "hashes": hashes}


def indicator(rng: random.Random, n: int) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{n}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "name": f"Bad thing {n}",
        "pattern": pattern(rng),
        "pattern_type": "stix" if rng.random() < 0.85 else rng.choice(["sigma", "snort", 3]),
        "valid_from": "2026-01-01T00:00:00.000Z",
    }
    if rng.random() < 0.05:
        obj["pattern"] = rng.choice([7, None, "", "[]", "[ipv4-addr:value = '10.0.0.1'"])
    if rng.random() < 0.15:
        obj["description"] = text(rng)
    return obj


def identity(rng: random.Random, n: int) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "identity",
        "id": f"identity--{n}",
        "name": rng.choice([*PHONES, "Abu", "cell@example.org", 5]),
    }
    extras: list[dict[str, Any]] = [
        {},
        {"contact_information": text(rng)},
        {"external_references": [{"source_name": "x", "description": "d"}]},
        {"x_phone_extra": "1"},
        {"sectors": ["description"]},
        {"x_phone": rng.choice([*PHONES, [*PHONES, 3], 7])},
        {"phone_number": rng.choice(PHONES)},
    ]
    return {**obj, **rng.choice(extras)}


def note(rng: random.Random, n: int) -> dict[str, Any]:
    obj: dict[str, Any] = {"type": "note", "id": f"note--{n}", "content": text(rng)}
    if rng.random() < 0.3:
        handling = {"feedback": {"kind": "outcome"}} if rng.random() < 0.7 else {"other": 1}
        obj["extensions"] = {HANDLING_EXTENSION_ID: handling}
    return obj


def other(rng: random.Random, n: int) -> dict[str, Any]:
    return rng.choice(
        [
            {"type": "malware", "id": f"malware--{n}", "name": "value", "is_family": False},
            {"type": "attack-pattern", "id": f"attack-pattern--{n}", "name": "06 12 34 56 78"},
            {"type": "relationship", "id": f"relationship--{n}", "description": text(rng)},
            {"type": "report", "id": f"report--{n}", "description": text(rng)},
            {"type": "user-account", "id": f"user-account--{n}", "account_login": "@Abu_X"},
            {"type": "user-account", "id": f"user-account--{n}", "account_login": 3},
            {"type": "threat-actor", "id": f"threat-actor--{n}", "abstract": text(rng)},
            {"type": "opinion", "id": f"opinion--{n}", "explanation": text(rng)},
            {"type": "x-thing", "id": f"x-thing--{n}", "x_phone_numbers": PHONES},
            {"type": "x-phone", "id": f"x-phone--{n}", "value": "+33 6 12 34 56 78"},
            {"type": "note", "id": f"note--{n}", "content": "; ".join(ADDRESSES * 5)},
        ]
    )


MAKERS: list[Callable[[random.Random, int], dict[str, Any]]] = [
    sco,
    sco,
    hashed,
    indicator,
    indicator,
    indicator,
    identity,
    note,
    other,
]


def corpus(size: int, seed: int = 2026) -> list[dict[str, Any]]:
    """Return ``size`` objects of every shape, the same for a seed."""
    rng = random.Random(seed)
    return [rng.choice(MAKERS)(rng, n) for n in range(size)]


def patterns(size: int, seed: int = 7) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(size):
        yield pattern(rng)


# -- value by value, pattern by pattern, object by object ----------------------------------


def test_the_corpus_takes_every_path() -> None:
    """The corpus is broad: simple and general patterns, simple and other URLs, keys."""
    shapes = list(patterns(2000))
    assert sum(bool(obs_patterns._ONE_COMPARISON.fullmatch(p)) for p in shapes) > 100
    simple = [p for p in shapes if obs_patterns._SIMPLE_PATTERN.fullmatch(p)]
    assert sum(not obs_patterns._ONE_COMPARISON.fullmatch(p) for p in simple) > 100
    assert sum(" IN " in p for p in simple) > 20
    assert sum("\\'" in p for p in shapes) > 20
    assert len(simple) < len(shapes) - 200
    assert (
        10 < sum(bool(obs_values._SIMPLE_URL.fullmatch(u.strip())) for u in URLS) < len(URLS) - 10
    )
    keys = set().union(*(ref_object_keys(o, obs.CORRELATION_KINDS) for o in corpus(1500)))
    assert {key.split(":", 1)[0] for key in keys} == obs.CORRELATION_KINDS


def test_values_give_the_reference_keys() -> None:
    rng = random.Random(11)
    pool = ADDRESSES + DOMAINS + URLS + [values(rng) for _ in range(3000)]
    for value in pool:
        assert obs.address_keys(value) == ref_address_keys(value), value
        assert obs.domain_key(value) == ref_domain_key(value), value
        assert obs.host_key(value) == ref_host_key(value), value
        assert obs.url_keys(value) == ref_url_keys(value), value
        assert obs.url_host_keys(value) == ref_url_host_keys(value), value


def test_the_common_values_take_the_fast_paths_and_give_the_known_keys() -> None:
    assert obs.address_keys("10.0.0.7") == ["ipv4:010.000.000.007"]
    assert obs.address_keys("010.0.0.7") == []  # a leading zero is no address
    assert obs.domain_key("Evil.Example.") == "domain:evil.example"
    assert obs.domain_key("bücher.example") == "domain:xn--bcher-kva.example"
    assert obs_values._SIMPLE_URL.fullmatch("HTTPS://X.Fr/a/?q=1")
    assert obs.url_keys("HTTPS://X.Fr/a/?q=1") == ["url:https://x.fr/a?q=1"]
    assert obs.url_host_keys("https://T.me/Cell_Leader/") == ["domain:t.me"]
    assert obs.url_keys("https://T.me/Cell_Leader/") == [
        "url:https://t.me/Cell_Leader",
        "handle:cell_leader",
    ]


@pytest.mark.parametrize("kinds", KIND_SETS, ids=lambda k: "+".join(sorted(k)))
def test_patterns_give_the_reference_keys(kinds: frozenset[str]) -> None:
    for shape in [*EDGE_PATTERNS, *patterns(1500)]:
        assert obs.pattern_keys(shape, REGION, kinds) == ref_pattern_keys(shape, kinds), shape


def test_a_simple_pattern_reads_as_the_general_one() -> None:
    hashed = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"
    shape = (
        "[ipv4-addr:value IN ('10.0.0.1', '10.0.0.2') AND file:hashes.'SHA-256' = "
        f"'{hashed}'] OR [url:value = 'https://t.me/Abu/'] AND [email-addr:value='A@B.fr']"
    )
    assert obs_patterns._SIMPLE_PATTERN.fullmatch(shape)
    assert obs.pattern_keys(shape, REGION, obs.CORRELATION_KINDS) == {
        "ipv4:010.000.000.001",
        "ipv4:010.000.000.002",
        f"sha256:{hashed.lower()}",
        "url:https://t.me/Abu",
        "handle:abu",
        "domain:t.me",
        "email:a@b.fr",
    }
    escaped = "[email-addr:value = 'o\\'neil@b.fr']"
    assert not obs_patterns._SIMPLE_PATTERN.fullmatch(escaped)
    assert obs.pattern_keys(escaped, REGION) == {"email:o'neil@b.fr"}


@pytest.mark.parametrize("kinds", KIND_SETS, ids=lambda k: "+".join(sorted(k)))
def test_objects_give_the_reference_keys(kinds: frozenset[str]) -> None:
    for obj in corpus(700):
        assert obs.object_observable_keys(obj, REGION, kinds) == ref_object_keys(obj, kinds), obj
    assert obs.object_observable_keys({"type": "indicator"}, REGION, frozenset()) == set()


def carrying(sample: str) -> dict[str, Any]:
    """A note whose content is the text: free text gives keys as part of an object."""
    return {"type": "note", "id": "note--1", "content": sample}


def test_text_gives_the_reference_keys() -> None:
    rng = random.Random(5)
    for sample in TEXTS + [text(rng) for _ in range(150)]:
        for kinds in (obs.KINDS, obs.CORRELATION_KINDS, frozenset({"phone"})):
            found = obs.object_observable_keys(carrying(sample), REGION, kinds)
            assert found == ref_text_keys(sample, kinds), sample


# -- through the index ---------------------------------------------------------------------


NO_CONNECTION: Any = None  # a Recorder needs none


class Recorder(Database):
    """A database that keeps the rows it is asked to insert."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def insert_rows(self, conn: Any, table: Any, columns: Any, rows: Any) -> None:
        assert table is object_keys
        self.rows += [dict(zip(columns, row, strict=True)) for row in rows]


def versions_of(objs: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(stix_id, version, body) as the store writes them."""
    return [(o["id"], "v1", orjson.dumps(o, option=orjson.OPT_SORT_KEYS).decode()) for o in objs]


def test_indexing_parsed_objects_gives_the_rows_of_their_bodies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    objs = corpus(1500, seed=3)
    versions = versions_of(objs)
    expected = [
        {"stix_id": stix_id, "version": version, "key": key}
        for stix_id, version, body in versions
        for key in ref_version_keys(body)
    ]
    from_bodies, from_objects = Recorder(), Recorder()
    index.index_new_versions(from_bodies, NO_CONNECTION, versions, phone_region=REGION)
    scanned: list[str] = []
    scan = index._may_carry

    def may_carry(body: str) -> bool:
        scanned.append(body)
        return scan(body)

    with monkeypatch.context() as patched:
        patched.setattr(index, "_may_carry", may_carry)
        patched.setattr(orjson, "loads", pytest.fail)  # nothing is parsed again
        index.index_new_versions(
            from_objects, NO_CONNECTION, versions, phone_region=REGION, parsed=objs
        )
    assert from_objects.rows == from_bodies.rows == expected
    assert len({row["stix_id"] for row in expected}) > 500
    # The text is scanned only for identities that carry nothing else than their name.
    assert scanned
    assert all(orjson.loads(body)["type"] == "identity" for body in scanned)


def test_an_identity_name_counts_where_the_text_scan_lets_it() -> None:
    """An identity's name is read only when some property (even nested) may carry."""
    bare = {"type": "identity", "id": "identity--1", "name": "+33 6 12 34 56 78"}
    cited = {**bare, "id": "identity--2", "external_references": [{"description": "d"}]}
    versions = versions_of([bare, cited])
    from_bodies, from_objects = Recorder(), Recorder()
    index.index_new_versions(from_bodies, NO_CONNECTION, versions, phone_region=REGION)
    index.index_new_versions(
        from_objects, NO_CONNECTION, versions, phone_region=REGION, parsed=[bare, cited]
    )
    expected = [{"stix_id": "identity--2", "version": "v1", "key": "phone:+33612345678"}]
    assert from_objects.rows == from_bodies.rows == expected


def test_parsed_objects_come_one_per_version() -> None:
    versions = versions_of(corpus(3))
    with pytest.raises(ValueError, match="2 parsed objects for 3 versions"):
        index.index_new_versions(
            Recorder(), NO_CONNECTION, versions, phone_region=REGION, parsed=[{}, {}]
        )


def test_every_property_read_for_a_key_is_one_the_text_scan_sees() -> None:
    for name in index._READ_CARRIERS:
        assert index._may_carry(orjson.dumps({name: 1}).decode()), name
    assert "name" not in index._READ_CARRIERS  # an identity's name: only with a carrier


def stored_keys(database: Database) -> list[tuple[str, str, str]]:
    with database.read() as conn:
        rows = conn.execute(select(object_keys.c.stix_id, object_keys.c.version, object_keys.c.key))
        return sorted((row.stix_id, row.version, row.key) for row in rows)


def test_the_index_stores_the_same_keys_from_objects_as_from_bodies(database: Database) -> None:
    objs = corpus(400, seed=9)
    versions = versions_of(objs)
    with database.write() as conn:
        index.index_new_versions(database, conn, versions, phone_region=REGION)
    from_bodies = stored_keys(database)
    with database.write() as conn:
        conn.execute(delete(object_keys))
    with database.write() as conn:
        index.index_new_versions(database, conn, versions, phone_region=REGION, parsed=objs)
    from_objects = stored_keys(database)
    expected = sorted(
        (stix_id, version, key)
        for stix_id, version, body in versions
        for key in ref_version_keys(body)
    )
    assert from_objects == from_bodies == expected
    assert len(expected) > 300
