"""Attacks through the exchange workflow (issue 12, items 6, 8 and 16), each written as the
attacker's requests, then what they learn.

Atlas is dgsi (alice), Boreal is fsb (boris); see tests/world.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from passerelle.errors import BadInput, NotFound
from passerelle.exchange import rfis, tips
from passerelle.policy import directory
from passerelle.policy.roles import Role
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from tests.exchange_support import ContextFor
from tests.stixgen import T0, identity, indicator
from tests.world import World

T1 = "2026-02-01T00:00:00.000Z"


def marked(obj: dict[str, Any], tlp: Tlp, **extension: Any) -> dict[str, Any]:
    obj["object_marking_refs"] = [TLP2_IDS[tlp]]
    if extension:
        obj["extensions"] = {
            HANDLING_EXTENSION_ID: {"extension_type": "property-extension", **extension}
        }
    return obj


def store(world: World, username: str, channel: str, *items: dict[str, Any]) -> None:
    from passerelle.objects.ingest import ingest

    result = ingest(
        world.database, world.hooks, world.viewer(username), world.channels[channel], list(items)
    )
    assert not result.failures, result.failures


def report_of(*refs: str, modified: str = T0) -> dict[str, Any]:
    return {
        "type": "report",
        "spec_version": "2.1",
        "id": indicator(0)["id"].replace("indicator", "report"),
        "created": T0,
        "modified": modified,
        "name": "Cell",
        "published": T0,
        "object_refs": list(refs),
    }


def test_an_h3_tip_shows_no_name_before_its_reader_acknowledges(
    world: World, ctx: ContextFor
) -> None:
    secret = marked(
        identity("Informant Vasily"),
        Tlp.AMBER,
        handling_codes=["H3"],
        h3_text="Do not act before calling the desk",
    )
    store(world, "alice", "fr-ru", secret)
    tip = tips.share(ctx("alice"), tips.ShareRequest(object_id=secret["id"], channel="fr-ru"))
    [received] = tips.inbox(ctx("boris"), tips.ListRequest()).tips
    assert "Vasily" not in received.object_name
    assert "acknowledge" in received.object_name
    shown = tips.show(ctx("boris"), tips.TipRef(tip_id=tip.id))
    assert "Vasily" not in shown.object_name


def test_sharing_never_follows_what_a_hidden_version_refers_to(
    world: World, ctx: ContextFor
) -> None:
    """Boris shares a report whose contents include alice's note. Boris sees the note's
    version 1; version 2, RED for alice alone, also refers to a person. The tip must
    neither share nor name that person."""
    ind = indicator(1)
    person = marked(identity("Only in version two"), Tlp.GREEN)
    note_v1 = {
        "type": "note",
        "spec_version": "2.1",
        "id": ind["id"].replace("indicator", "note"),
        "created": T0,
        "modified": T0,
        "content": "about the indicator",
        "object_refs": [ind["id"]],
    }
    note_v2 = marked(
        {**note_v1, "modified": T1, "object_refs": [ind["id"], person["id"]]},
        Tlp.RED,
        recipients=["alice"],
    )
    store(world, "alice", "fr-ru", ind, person, note_v1, note_v2)
    outer = report_of(note_v1["id"])
    outer["id"] = outer["id"][:-4] + "beef"
    store(world, "boris", "fr-ru", outer)
    tip = tips.share(ctx("boris"), tips.ShareRequest(object_id=outer["id"], channel="fr-ru"))
    assert person["id"] not in tip.not_shared
    assert person["id"] not in tip.objects
    assert {note_v1["id"], ind["id"]} <= set(tip.objects)


def test_naming_recipients_tells_nobody_who_has_an_account(world: World, ctx: ContextFor) -> None:
    with world.database.write() as conn:
        directory.add_user(conn, "outsider", "olga", Role.ANALYST)
    obj = marked(indicator(2), Tlp.GREEN)
    store(world, "alice", "fr-ru", obj)
    answers = []
    for name in ("olga", "nobody-at-all"):
        with pytest.raises(BadInput) as refused:
            tips.share(
                ctx("alice"),
                tips.ShareRequest(object_id=obj["id"], channel="fr-ru", recipients=[name]),
            )
        answers.append(str(refused.value).replace(name, "<NAME>"))
    assert answers[0] == answers[1]


def test_an_rfi_tells_nobody_which_organisations_exist(world: World, ctx: ContextFor) -> None:
    answers = []
    for name in ("outsider", "no-such-service"):
        with pytest.raises(NotFound) as refused:
            rfis.send_rfi(ctx("alice"), rfis.SendRfi(to=name, purpose="p", urgency="normal"))
        answers.append(str(refused.value).replace(name, "<NAME>"))
    assert answers[0] == answers[1]
