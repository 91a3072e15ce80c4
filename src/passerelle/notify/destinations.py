"""Where a webhook may call: never inside the node's own networks unless the operator says.

A subscriber names any URL. Without a check, a webhook would make the node call services
only the node can reach (an admin page on loopback, a database's HTTP port, a cloud's
metadata address) and tell the subscriber whether they answered: a request forged on the
server's side. So a webhook's host is resolved, and every address it resolves to must be
global and not multicast (not loopback, private, link-local, shared, reserved or
unspecified) or inside a network the operator allows (``PASSERELLE_WEBHOOK_ALLOW``,
comma-separated addresses or networks). The call then goes to the address checked, the
host name kept for the ``Host`` header and the TLS certificate: a name that resolves
elsewhere a moment later (DNS rebinding) changes nothing.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence

from passerelle.settings import Network


class Refused(ValueError):
    """A webhook's host is, or resolves to, an address it may not call (one line)."""


def checked_address(host: str, port: int, allow: Sequence[Network] = ()) -> str:
    """Return the address to call for ``host``: the first it resolves to, once every one
    of them is known to be callable; raise :class:`Refused` otherwise, ``OSError`` when
    the host does not resolve."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if (ip.is_global and not ip.is_multicast) or any(ip in network for network in allow):
            continue
        raise Refused(
            f"webhook refused: {host[:60]} is {address}, an internal address "
            "(the node's operator may allow its network: PASSERELLE_WEBHOOK_ALLOW)"
        )
    if not addresses:
        raise OSError("no address")
    return addresses[0]
