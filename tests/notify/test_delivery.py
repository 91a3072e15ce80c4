"""Notices delivered by e-mail (to a local aiosmtpd server) and by signed webhook (to a
local receiver that checks every signature), with retries, once, and nothing lost when
the process stops between the commit and the sending."""

from __future__ import annotations

from email.message import Message
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select, update

from passerelle.durations import HOUR, MINUTE, SECOND
from passerelle.exchange import tips
from passerelle.notify import DeliveryReport, backoff
from passerelle.notify.models import Subscribe, Unsubscribe
from passerelle.notify.operations import subscribe, unsubscribe
from passerelle.settings import NotifySettings
from passerelle.stix.markings import HANDLING_EXTENSION_ID, Tlp
from passerelle.stix.timestamps import now_micros
from passerelle.store.notify_tables import notify_queue
from tests.cli_runner import Run
from tests.exchange_support import ContextFor, FakeClock, cell_report, marked, store
from tests.notify.conftest import PUBLIC_URL, Deliver
from tests.notify.receivers import (
    LOOPBACK,
    SECRET,
    SMTP_PASSWORD,
    SMTP_USER,
    Mailbox,
    Webhooks,
    start_smtp,
)
from tests.stixgen import identity
from tests.world import World

TITLE = "Cell plans bombings of religious sites"


def share_tip(world: World, ctx: ContextFor, items: list[dict[str, Any]]) -> str:
    """alice (dgsi) shares the last of these objects into fr-ru as a tip for fsb."""
    store(world, "alice", "fr-ru", items)
    request = tips.ShareRequest(object_id=items[-1]["id"], channel="fr-ru")
    return tips.share(ctx("alice"), request).id


def hook(ctx: ContextFor, username: str, url: str, kind: str = "tip-received") -> None:
    subscribe(ctx(username), Subscribe(kind=kind, webhook=url, secret=SECRET))  # type: ignore[arg-type]


def mail(ctx: ContextFor, username: str, kind: str = "tip-received") -> None:
    subscribe(ctx(username), Subscribe(kind=kind, email=f"{username}@fsb.test"))  # type: ignore[arg-type]


def body_of(message: Message) -> str:
    """The text of a received e-mail, decoded as a mail reader would."""
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def queue_owed(world: World, clock: FakeClock) -> None:
    """Queue what is owed, as the first step of a delivery pass does (a write rings the
    serving node's loop; it queues nothing itself)."""
    from passerelle.notify.queue import collect

    collect(world.database, clock.now, 0)


def queue_states(world: World) -> list[tuple[str, int]]:
    with world.database.read() as conn:
        rows = conn.execute(select(notify_queue.c.state, notify_queue.c.attempts))
        return [(row.state, row.attempts) for row in rows]


def test_a_tip_received_reaches_a_webhook_signed_and_named(
    world: World, ctx: ContextFor, webhooks: Webhooks, deliver: Deliver
) -> None:
    hook(ctx, "boris", webhooks.url)
    tip_id = share_tip(world, ctx, cell_report())
    report = deliver()
    assert (report.delivered, report.retried, report.failed) == (1, 0, 0)
    [call] = webhooks.calls
    assert call.signed
    assert call.headers["x-passerelle-delivery"].isdigit()
    body = orjson.loads(call.body)
    assert body["kind"] == "tip-received"
    assert body["facts"]["title"] == TITLE
    assert body["facts"]["sender"] == "dgsi"
    assert body["link"] == f"{PUBLIC_URL}/tips/{tip_id}"
    # Delivered once: the next pass finds nothing more to send.
    assert deliver().delivered == 0
    assert len(webhooks.calls) == 1


def test_a_forged_or_replayed_signature_does_not_verify(webhooks: Webhooks) -> None:
    from passerelle.notify import signature

    body = b'{"kind":"tip-received"}'
    good = signature(SECRET, 1_800_000_000, body)
    headers = {"x-passerelle-timestamp": "1800000000", "x-passerelle-signature": good}
    assert webhooks.verify(headers, body)
    # Another timestamp (a replay made to look fresh) or another body breaks it.
    assert not webhooks.verify({**headers, "x-passerelle-timestamp": "1800000999"}, body)
    assert not webhooks.verify(headers, body + b" ")
    assert signature("another-secret-of-sixteen", 1_800_000_000, body) != good


def test_a_tip_received_reaches_a_mailbox(
    world: World, ctx: ContextFor, mailbox: Mailbox, deliver: Deliver
) -> None:
    mail(ctx, "boris")
    tip_id = share_tip(world, ctx, cell_report())
    assert deliver().delivered == 1
    [message] = mailbox.messages
    assert message["To"] == "boris@fsb.test"
    assert message["From"] == "node@passerelle.test"
    assert message["Subject"] == "[Passerelle] A tip awaits you"
    text = body_of(message)
    assert TITLE in text
    assert f"{PUBLIC_URL}/tips/{tip_id}" in text


def test_a_red_tips_notice_says_only_that_a_tip_awaits(
    world: World, ctx: ContextFor, mailbox: Mailbox, webhooks: Webhooks, deliver: Deliver
) -> None:
    mail(ctx, "boris")
    hook(ctx, "boris", webhooks.url)
    items = cell_report(Tlp.RED, recipients=("boris",))
    tip_id = share_tip(world, ctx, items)
    assert deliver().delivered == 2
    [call] = webhooks.calls
    body = orjson.loads(call.body)
    assert body["facts"] == {}
    assert body["title"] == "A tip awaits you"
    assert body["link"] == f"{PUBLIC_URL}/tips/{tip_id}"
    [message] = mailbox.messages
    text = body_of(message)
    for shown in (call.body.decode(), text, str(message["Subject"])):
        assert "Cell" not in shown
        assert "bombings" not in shown
        assert "dgsi" not in shown
        assert "Petrov" not in shown
    assert text.strip().splitlines() == [
        "A tip awaits you.",
        "",
        f"Read it on the node: {PUBLIC_URL}/tips/{tip_id}",
    ]


def test_an_h3_tips_notice_says_only_that_a_tip_awaits(
    world: World, ctx: ContextFor, webhooks: Webhooks, deliver: Deliver
) -> None:
    hook(ctx, "boris", webhooks.url)
    secret = marked(identity("Informant Vasily"), Tlp.GREEN)
    secret["extensions"] = {
        HANDLING_EXTENSION_ID: {
            "extension_type": "property-extension",
            "handling_codes": ["H3"],
            "h3_text": "Call the desk first",
        }
    }
    share_tip(world, ctx, [secret])
    assert deliver().delivered == 1
    body = orjson.loads(webhooks.calls[0].body)
    assert body["facts"] == {}
    assert "Vasily" not in webhooks.calls[0].body.decode()


def test_a_failed_call_is_retried_after_its_back_off_and_delivered_once(
    world: World, ctx: ContextFor, clock: FakeClock, webhooks: Webhooks, deliver: Deliver
) -> None:
    hook(ctx, "boris", webhooks.url)
    share_tip(world, ctx, cell_report())
    webhooks.statuses.extend([500])
    first = deliver()
    assert (first.delivered, first.retried) == (0, 1)
    assert queue_states(world) == [("pending", 1)]
    # Not due before its back-off ends.
    clock.advance(10 * SECOND)
    assert deliver().delivered == 0
    assert len(webhooks.calls) == 1
    clock.advance(30 * SECOND)
    assert deliver().delivered == 1
    assert queue_states(world) == [("delivered", 2)]
    assert [c.signed for c in webhooks.calls] == [True, True]
    # The same notice both times (same delivery id, same body), each freshly signed.
    first_call, second_call = webhooks.calls
    assert first_call.body == second_call.body
    assert (
        first_call.headers["x-passerelle-delivery"] == second_call.headers["x-passerelle-delivery"]
    )
    assert (
        first_call.headers["x-passerelle-timestamp"]
        != second_call.headers["x-passerelle-timestamp"]
    )
    clock.advance(HOUR)
    assert deliver().delivered == 0
    assert len(webhooks.calls) == 2


def test_back_off_doubles_up_to_its_cap_then_gives_up() -> None:
    settings = NotifySettings(max_attempts=5, retry_after=30 * SECOND, retry_cap=90 * SECOND)
    waits = [backoff(settings, n) for n in range(1, 6)]
    assert waits == [30 * SECOND, 60 * SECOND, 90 * SECOND, 90 * SECOND, None]


def test_a_notice_is_given_up_after_its_last_try(
    world: World, ctx: ContextFor, clock: FakeClock, webhooks: Webhooks
) -> None:
    from passerelle.notify import Courier, run_pass

    settings = NotifySettings(max_attempts=2, retry_after=MINUTE, webhook_allow=LOOPBACK)
    courier = Courier(world.database, settings, PUBLIC_URL, clock)
    hook(ctx, "boris", webhooks.url)
    share_tip(world, ctx, cell_report())
    webhooks.statuses.extend([503, 503, 503])
    assert run_pass(courier).retried == 1
    clock.advance(MINUTE)
    assert run_pass(courier).failed == 1
    assert queue_states(world) == [("failed", 2)]
    clock.advance(HOUR)
    run_pass(courier)
    assert len(webhooks.calls) == 2


def test_unsubscribing_stops_deliveries(
    world: World, ctx: ContextFor, clock: FakeClock, webhooks: Webhooks, deliver: Deliver
) -> None:
    hook(ctx, "boris", webhooks.url)
    share_tip(world, ctx, cell_report())
    assert deliver().delivered == 1
    # A second tip is queued, then boris unsubscribes before the pass: it is dropped.
    share_tip(world, ctx, cell_report())
    queue_owed(world, clock)
    done = unsubscribe(ctx("boris"), Unsubscribe(kind="tip-received", webhook=webhooks.url))
    assert (done.removed, done.dropped) == (1, 1)
    share_tip(world, ctx, cell_report())
    assert deliver().delivered == 0
    assert len(webhooks.calls) == 1
    assert queue_states(world) == []


def test_a_notice_queued_before_the_process_stopped_is_delivered_by_the_next_run(
    world: World,
    ctx: ContextFor,
    clock: FakeClock,
    webhooks: Webhooks,
    run: Run,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The command line runs on the system clock: the workflow runs a minute before it.
    clock.now = now_micros() - MINUTE
    hook(ctx, "boris", webhooks.url)
    share_tip(world, ctx, cell_report())
    # A pass queued the notice; the process stops there.
    queue_owed(world, clock)
    assert queue_states(world) == [("pending", 0)]
    world.database.dispose()
    monkeypatch.setenv("PASSERELLE_NOTIFY_INTERVAL", "1s")
    monkeypatch.setenv("PASSERELLE_WEBHOOK_ALLOW", "127.0.0.1")  # the receiver's loopback
    # A new process (the command line) delivers it.
    result = run("notify", "send", "--once", "--json")
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.output)["delivered"] == 1
    assert [c.signed for c in webhooks.calls] == [True]
    assert queue_states(world) == [("delivered", 1)]


def test_a_sending_cut_short_is_taken_again_once_its_claim_expires(
    world: World, ctx: ContextFor, clock: FakeClock, webhooks: Webhooks, deliver: Deliver
) -> None:
    hook(ctx, "boris", webhooks.url)
    share_tip(world, ctx, cell_report())
    queue_owed(world, clock)
    # A process claimed the notice and stopped before it settled it.
    with world.database.write() as conn:
        conn.execute(update(notify_queue).values(state="sending", next_attempt=clock.now + MINUTE))
    assert deliver().delivered == 0
    clock.advance(2 * MINUTE)
    assert deliver().delivered == 1
    assert len(webhooks.calls) == 1


def test_a_notice_whose_event_was_never_queued_is_found_by_the_pass(
    world: World, ctx: ContextFor, webhooks: Webhooks, deliver: Deliver
) -> None:
    hook(ctx, "boris", webhooks.url)
    share_tip(world, ctx, cell_report())
    # As if the process had stopped between the commit and its after-commit listener.
    with world.database.write() as conn:
        conn.execute(notify_queue.delete())
    report = deliver()
    assert (report.queued, report.delivered) == (1, 1)


def test_an_e_mail_waits_while_no_smtp_server_is_set(
    world: World, ctx: ContextFor, clock: FakeClock, mailbox: Mailbox
) -> None:
    from passerelle.notify import Courier, run_pass

    mail(ctx, "boris")
    share_tip(world, ctx, cell_report())
    report = run_pass(Courier(world.database, NotifySettings(), PUBLIC_URL, clock))
    assert (report.delivered, report.retried) == (0, 1)
    with world.database.read() as conn:
        error = conn.execute(select(notify_queue.c.last_error)).scalar()
    assert error == "no SMTP server is set (PASSERELLE_SMTP_HOST, PASSERELLE_SMTP_FROM)"
    assert mailbox.messages == []


def test_an_e_mail_goes_through_a_server_that_asks_for_a_login(
    world: World,
    ctx: ContextFor,
    clock: FakeClock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from passerelle.notify import Courier, run_pass

    mailbox = Mailbox()
    controller, port = start_smtp(mailbox, with_login=True)
    try:
        password = tmp_path / "smtp.password"
        password.write_text(SMTP_PASSWORD + "\n")
        settings = NotifySettings(
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_from="node@passerelle.test",
            smtp_user=SMTP_USER,
            smtp_password_file=str(password),
        )
        mail(ctx, "boris")
        share_tip(world, ctx, cell_report())
        courier = Courier(world.database, settings, PUBLIC_URL, clock)
        assert run_pass(courier).delivered == 1
        assert mailbox.logins == [SMTP_USER]
        assert len(mailbox.messages) == 1
    finally:
        controller.stop()
    assert SMTP_PASSWORD not in caplog.text


def test_an_open_rfi_near_its_deadline_is_told_to_both_sides(
    world: World, ctx: ContextFor, clock: FakeClock, webhooks: Webhooks, deliver: Deliver
) -> None:
    from passerelle.exchange import rfis

    hook(ctx, "alice", webhooks.url, "deadline-near")
    hook(ctx, "boris", webhooks.url, "deadline-near")
    hook(ctx, "carla", webhooks.url, "deadline-near")
    request = rfis.SendRfi(to="fsb", purpose="Who is Petrov?", urgency="urgent")
    rfi = rfis.send_rfi(ctx("alice"), request)
    assert deliver().delivered == 0
    clock.advance(5 * HOUR)  # urgent: 8 hours; near: 4 hours before
    assert deliver().delivered == 2
    sides = sorted(orjson.loads(c.body)["facts"]["side"] for c in webhooks.calls)
    assert sides == ["received", "sent"]
    assert {orjson.loads(c.body)["facts"]["rfi"] for c in webhooks.calls} == {rfi.id}
    assert all("Petrov" not in c.body.decode() for c in webhooks.calls)


def test_a_disabled_users_waiting_notices_are_dropped(
    world: World, ctx: ContextFor, clock: FakeClock, webhooks: Webhooks, deliver: Deliver
) -> None:
    from passerelle.store.schema import users

    hook(ctx, "boris", webhooks.url)
    share_tip(world, ctx, cell_report())
    queue_owed(world, clock)
    with world.database.write() as conn:
        conn.execute(update(users).where(users.c.username == "boris").values(disabled=True))
    report = deliver()
    assert (report.delivered, report.dropped) == (0, 1)
    assert webhooks.calls == []
    assert queue_states(world) == [("dropped", 0)]


def test_the_serving_node_delivers_in_the_background(
    world: World, ctx: ContextFor, clock: FakeClock, webhooks: Webhooks
) -> None:
    import threading

    from fastapi.testclient import TestClient

    from passerelle.app import create_app
    from passerelle.settings import Settings

    hook(ctx, "boris", webhooks.url)
    share_tip(world, ctx, cell_report())
    notify = NotifySettings(interval=HOUR, webhook_allow=LOOPBACK)
    settings = Settings(db_url="unused://", notify=notify)
    with TestClient(create_app(settings, world.database, clock=clock)):
        # The loop's first pass runs as the node starts; bounded wait for it.
        for _ in range(250):
            if webhooks.calls:
                break
            threading.Event().wait(0.02)
    assert [c.signed for c in webhooks.calls] == [True]
    assert queue_states(world) == [("delivered", 1)]


def test_a_pass_looks_back_a_week_and_no_further(
    world: World, ctx: ContextFor, clock: FakeClock, webhooks: Webhooks, deliver: Deliver
) -> None:
    from passerelle.durations import DAY

    hook(ctx, "boris", webhooks.url)
    share_tip(world, ctx, cell_report())
    with world.database.write() as conn:
        conn.execute(notify_queue.delete())
    # Delivery stopped for six days: the notice is still owed.
    clock.advance(6 * DAY)
    assert deliver().delivered == 1
    share_tip(world, ctx, cell_report())
    with world.database.write() as conn:
        conn.execute(notify_queue.delete().where(notify_queue.c.state == "pending"))
    # Eight days: stale, never sent; nor is the first one sent again.
    clock.advance(8 * DAY)
    assert deliver().queued == 0
    assert len(webhooks.calls) == 1


def test_a_write_queues_nothing_itself_and_a_rung_loop_delivers_before_its_interval(
    world: World,
    ctx: ContextFor,
    clock: FakeClock,
    webhooks: Webhooks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    from passerelle.notify import Courier, NotifyLoop, delivery
    from passerelle.objects.hooks import WriteCommitted

    passes: list[DeliveryReport] = []
    first_pass = threading.Event()

    def counted(courier: Courier) -> DeliveryReport:
        passes.append(run_pass(courier))
        first_pass.set()
        return passes[-1]

    run_pass = delivery.run_pass
    monkeypatch.setattr(delivery, "run_pass", counted)
    hook(ctx, "boris", webhooks.url)
    courier = Courier(world.database, NotifySettings(webhook_allow=LOOPBACK), PUBLIC_URL, clock)
    loop = NotifyLoop(courier, 3600.0)
    loop.start()
    try:
        assert first_pass.wait(10)
        share_tip(world, ctx, cell_report())
        assert queue_states(world) == []
        # An hour's interval: without the ring no pass would run again before the end.
        loop.ring(WriteCommitted(world.database, world.hooks, clock.now))
        for _ in range(500):
            if webhooks.calls:
                break
            threading.Event().wait(0.02)
    finally:
        loop.stop()
    assert [c.signed for c in webhooks.calls] == [True]
    assert queue_states(world) == [("delivered", 1)]
    assert [p.delivered for p in passes[:2]] == [0, 1]


def test_the_serving_node_rings_its_delivery_loop_on_every_commit(world: World) -> None:
    from fastapi.testclient import TestClient

    from passerelle.app import create_app
    from passerelle.settings import Settings

    settings = Settings(db_url="unused://", notify=NotifySettings(interval=HOUR))
    app = create_app(settings, world.database)
    with TestClient(app):
        rings = [f for f in app.state.hooks._committed if getattr(f, "__name__", "") == "ring"]
    assert len(rings) == 1
