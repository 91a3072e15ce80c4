"""Fixtures of the notification tests: the local SMTP server and webhook receiver (started
once per module), and a delivery pass on the test clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from passerelle.notify import Courier, DeliveryReport, run_pass
from passerelle.settings import NotifySettings
from tests.exchange_support import FakeClock
from tests.notify.receivers import LOOPBACK, Mailbox, Webhooks, start_smtp
from tests.world import World

PUBLIC_URL = "https://node.example"
Deliver = Callable[[], DeliveryReport]


@pytest.fixture(scope="module")
def webhook_server() -> Iterator[Webhooks]:
    receiver = Webhooks()
    yield receiver
    receiver.close()


@pytest.fixture
def webhooks(webhook_server: Webhooks) -> Webhooks:
    """The webhook receiver, with no call received yet."""
    webhook_server.reset()
    return webhook_server


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    controller, port = start_smtp(mailbox)
    yield mailbox, port
    controller.stop()


@pytest.fixture
def mailbox(smtp_server: tuple[Mailbox, int]) -> Mailbox:
    """The SMTP server's mailbox, empty."""
    smtp_server[0].messages.clear()
    return smtp_server[0]


@pytest.fixture
def notify_settings(smtp_server: tuple[Mailbox, int]) -> NotifySettings:
    """Settings that send e-mail through the local SMTP server."""
    return NotifySettings(
        smtp_host="127.0.0.1",
        smtp_port=smtp_server[1],
        smtp_from="node@passerelle.test",
        webhook_allow=LOOPBACK,
    )


@pytest.fixture
def deliver(world: World, clock: FakeClock, notify_settings: NotifySettings) -> Deliver:
    """Run one delivery pass on the test clock."""
    courier = Courier(world.database, notify_settings, PUBLIC_URL, clock)
    return lambda: run_pass(courier)
