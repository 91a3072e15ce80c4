"""IP addresses and networks as keys, written at fixed width so that the key index keeps
them in numeric order: an address inside a network is then an index look-up."""

from __future__ import annotations

import ipaddress
import re
from typing import Final

from passerelle.keys.observables.kinds import CIDR4, CIDR6, IPV4, IPV6

# Networks wider than these are not keys: they would contain everything.
MIN_PREFIX: Final = {4: 8, 6: 16}
_ADDRESS_CHARS = re.compile(r"[0-9A-Fa-f:.]+")
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
# An IPv4 address as people write it (octets 0 to 255, no leading zero).
DOTTED_QUAD = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")
# The octets _OCTET matches (0 to 255, no leading zero), written at fixed width.
_PADDED_OCTETS: Final = {str(n): f"{n:03d}" for n in range(256)}


def address_of(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Return the IP address a text is (``[...]`` around it allowed), or None."""
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


def address_keys(text: str) -> list[str]:
    """Return the key of an IP address or network (``10.0.0.1``, ``10.0.0.0/24``), if any."""
    value = text.strip()
    parts = value.split(".")
    if len(parts) == 4:  # the common case, without building an ipaddress object
        a, b, c, d = parts
        padded = _PADDED_OCTETS
        if a in padded and b in padded and c in padded and d in padded:  # DOTTED_QUAD
            return [f"{IPV4}:{padded[a]}.{padded[b]}.{padded[c]}.{padded[d]}"]
    if "/" not in value:
        address = address_of(value)
        return [ip_key(address)] if address is not None else []
    if len(value) > 50 or not _ADDRESS_CHARS.fullmatch(value.replace("/", "")):
        return []
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return []
    key = network_key(network)
    return [key] if key else []


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
