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

What other packages use is named here (``__all__``), from the modules of one concern each:
:mod:`.kinds` (kinds, how a key is written, bounds on what is read), :mod:`.values` (one
value), :mod:`.networks` (IP addresses and networks, their display and what they
correlate with), :mod:`.patterns` (STIX patterns), :mod:`.text` (free text),
:mod:`.objects` (a whole object) and :mod:`.typed` (what a user typed).
"""

from __future__ import annotations

from passerelle.keys.observables.kinds import (
    CIDR4,
    CIDR6,
    CORRELATION_KINDS,
    DOMAIN,
    EMAIL,
    HANDLE,
    HASH_LENGTHS,
    IPV4,
    IPV6,
    KINDS,
    MAX_TEXT,
    MAX_VALUES,
    MD5,
    NETWORK_KINDS,
    PHONE,
    SHA1,
    SHA256,
    SHA512,
    URL,
    make_key,
)
from passerelle.keys.observables.networks import (
    MIN_PREFIX,
    address_keys,
    display_key,
    ip_key,
    network_key,
    related_keys,
)
from passerelle.keys.observables.objects import (
    PHONE_PROPERTIES,
    TEXT_PROPERTIES,
    object_observable_keys,
)
from passerelle.keys.observables.patterns import pattern_keys
from passerelle.keys.observables.typed import observable_key
from passerelle.keys.observables.values import (
    bare_hash_key,
    domain_key,
    email_key,
    handle_key,
    hash_key,
    host_key,
    phone_key,
    url_host_keys,
    url_keys,
)

__all__ = [
    "CIDR4",
    "CIDR6",
    "CORRELATION_KINDS",
    "DOMAIN",
    "EMAIL",
    "HANDLE",
    "HASH_LENGTHS",
    "IPV4",
    "IPV6",
    "KINDS",
    "MAX_TEXT",
    "MAX_VALUES",
    "MD5",
    "MIN_PREFIX",
    "NETWORK_KINDS",
    "PHONE",
    "PHONE_PROPERTIES",
    "SHA1",
    "SHA256",
    "SHA512",
    "TEXT_PROPERTIES",
    "URL",
    "address_keys",
    "bare_hash_key",
    "display_key",
    "domain_key",
    "email_key",
    "handle_key",
    "hash_key",
    "host_key",
    "ip_key",
    "make_key",
    "network_key",
    "object_observable_keys",
    "observable_key",
    "pattern_keys",
    "phone_key",
    "related_keys",
    "url_host_keys",
    "url_keys",
]
