"""Webhooks cannot make the node call inside its own networks (a request forged on the
server's side), unless the operator allows a network; the call goes to the address
checked, whatever the name resolves to a moment later."""

from __future__ import annotations

import ipaddress
import ssl
from typing import Any

import httpx2
import pytest
import trustme
from sqlalchemy import select

from passerelle.errors import BadInput
from passerelle.notify import Courier, run_pass
from passerelle.notify.destinations import Refused, checked_address
from passerelle.notify.transport import NotDelivered, post_webhook
from passerelle.settings import NotifySettings
from passerelle.store.notify_tables import notify_queue
from tests.exchange_support import ContextFor, FakeClock, cell_report
from tests.notify.conftest import PUBLIC_URL
from tests.notify.receivers import LOOPBACK, SECRET, Webhooks
from tests.notify.test_delivery import hook, share_tip
from tests.world import World

INTERNAL = [
    "127.0.0.1",
    "localhost",
    "[::1]",
    "169.254.169.254",  # a cloud's metadata address
    "10.0.0.1",
    "192.168.1.10",
    "172.16.0.5",
    "100.64.0.1",  # shared address space
    "0.0.0.0",
    "[fe80::1]",
    "224.0.0.1",
]


@pytest.mark.parametrize("host", INTERNAL)
def test_an_internal_address_is_refused_before_any_call(host: str) -> None:
    with pytest.raises(NotDelivered, match="internal address"):
        post_webhook(f"http://{host}:9/hook", SECRET, 1, b"{}", 0, 1.0)


def test_a_global_address_passes_the_check() -> None:
    assert checked_address("8.8.8.8", 443) == "8.8.8.8"
    assert checked_address("2001:4860:4860::8888", 443) == "2001:4860:4860::8888"
    with pytest.raises(Refused):
        checked_address("10.1.2.3", 443, (ipaddress.ip_network("10.2.0.0/16"),))
    assert checked_address("10.2.3.4", 443, (ipaddress.ip_network("10.2.0.0/16"),)) == "10.2.3.4"


def test_a_subscriber_cannot_make_the_node_call_its_loopback(
    world: World, ctx: ContextFor, clock: FakeClock, webhooks: Webhooks
) -> None:
    """boris points his webhook at a service on the node's loopback: nothing reaches it,
    and what he may read of his notice says why, not what the service would answer."""
    courier = Courier(world.database, NotifySettings(), PUBLIC_URL, clock)
    hook(ctx, "boris", webhooks.url)
    share_tip(world, ctx, cell_report())
    report = run_pass(courier)
    assert (report.delivered, report.retried) == (0, 1)
    assert webhooks.calls == []
    with world.database.read() as conn:
        [error] = conn.execute(select(notify_queue.c.last_error)).scalars()
    assert "internal address" in error
    assert "PASSERELLE_WEBHOOK_ALLOW" in error


def test_an_allowed_network_is_called_at_the_address_checked(
    world: World, ctx: ContextFor, clock: FakeClock, webhooks: Webhooks
) -> None:
    """The operator allows loopback; a webhook named ``localhost`` is called at the
    address its name was checked at, with the name in its Host header."""
    port = webhooks.server.server_port
    courier = Courier(world.database, NotifySettings(webhook_allow=LOOPBACK), PUBLIC_URL, clock)
    hook(ctx, "boris", f"http://localhost:{port}/hook")
    share_tip(world, ctx, cell_report())
    assert run_pass(courier).delivered == 1
    [call] = webhooks.calls
    assert call.signed
    assert call.headers["host"] == f"localhost:{port}"


def test_the_operators_allowance_is_read_from_the_environment() -> None:
    settings = NotifySettings.from_env({"PASSERELLE_WEBHOOK_ALLOW": "10.20.0.0/16, 127.0.0.1"})
    assert settings.webhook_allow == (
        ipaddress.ip_network("10.20.0.0/16"),
        ipaddress.ip_network("127.0.0.1/32"),
    )
    assert NotifySettings.from_env({}).webhook_allow == ()
    with pytest.raises(BadInput, match="PASSERELLE_WEBHOOK_ALLOW"):
        NotifySettings.from_env({"PASSERELLE_WEBHOOK_ALLOW": "intranet"})


class _Shim:
    """httpx2 as the transport uses it, its clients trusting the test CA."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.HTTPError = httpx2.HTTPError
        self._context = context

    def Client(self, **options: Any) -> httpx2.Client:  # the name httpx2 gives it
        return httpx2.Client(verify=self._context, **options)


@pytest.mark.parametrize(("names", "delivered"), [(["localhost"], True), (["other.test"], False)])
def test_an_https_webhook_called_at_its_address_checks_the_certificate_for_its_name(
    names: list[str], delivered: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The call goes to 127.0.0.1, the address ``localhost`` was checked at, and the TLS
    certificate is checked for ``localhost``: a certificate for another name fails."""
    from passerelle.notify import transport

    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(server_context)
    receiver = Webhooks()
    receiver.server.socket = server_context.wrap_socket(receiver.server.socket, server_side=True)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    monkeypatch.setattr(transport, "httpx2", _Shim(client_context))
    url = f"https://localhost:{receiver.server.server_port}/hook"
    try:
        if delivered:
            post_webhook(url, SECRET, 7, b"{}", 0, 5.0, LOOPBACK)
            [call] = receiver.calls
            assert call.signed
            assert call.headers["host"] == f"localhost:{receiver.server.server_port}"
        else:
            with pytest.raises(NotDelivered, match="unreachable"):
                post_webhook(url, SECRET, 7, b"{}", 0, 5.0, LOOPBACK)
            assert receiver.calls == []
    finally:
        receiver.close()
