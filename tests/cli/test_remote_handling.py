"""``grant``, ``acknowledge`` and ``audit show|verify`` with ``--url``: the same rules over
REST as locally, and refusals in the audit log."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner, Result

from passerelle.audit.log import entries, record_alone
from passerelle.cli import cli
from passerelle.policy import directory
from passerelle.policy.actions import COURT
from passerelle.policy.roles import Role
from tests.policy.test_actions import H3_TEXT, handled
from tests.stixgen import bundle
from tests.world import World

TAXII = "application/taxii+json;version=2.1"


def remote(url: str, token: str, *args: str) -> Result:
    env = {"PASSERELLE_TOKEN": token, "PASSERELLE_USER": ""}
    return CliRunner().invoke(cli, [*args, "--url", url], env=env)


def store(world: World, url: str, obj: dict[str, Any]) -> None:
    import urllib.request

    path = f"{url}/taxii2/root/collections/{world.collection('fr-ru')}/objects/"
    request = urllib.request.Request(
        path,
        data=json.dumps(bundle(obj)).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {world.tokens['alice']}",
            "Content-Type": TAXII,
            "Accept": TAXII,
        },
    )
    with urllib.request.urlopen(request) as answer:
        assert json.loads(answer.read())["success_count"] == 1


def test_grant_and_acknowledge_over_rest(world: World, live_url: str) -> None:
    obj = handled(1, codes=("H3",), h3_text=H3_TEXT)
    store(world, live_url, obj)
    # Only the producer grants: boris is refused, and the refusal is recorded.
    refused = remote(live_url, world.tokens["boris"], "grant", obj["id"], "--court")
    assert refused.exit_code == 1
    assert "Traceback" not in refused.output
    granted = remote(live_url, world.tokens["alice"], "grant", obj["id"], "--court")
    assert granted.exit_code == 0, granted.output
    assert granted.output.strip() == f"granted {COURT} use of {obj['id']}"
    acknowledged = remote(live_url, world.tokens["boris"], "acknowledge", obj["id"])
    assert acknowledged.exit_code == 0, acknowledged.output
    assert H3_TEXT in acknowledged.output
    with world.database.read() as conn:
        log = [(e.username, e.action) for e in entries(conn, object_id=obj["id"])]
    assert ("boris", "grant-refused") in log
    assert ("alice", "grant") in log
    assert ("boris", "acknowledge") in log
    # Nothing asked: refused before anything is sent.
    nothing = remote(live_url, world.tokens["alice"], "grant", obj["id"])
    assert nothing.exit_code == 1
    assert "say what you grant" in nothing.output


def test_audit_show_and_verify_over_rest(world: World, live_url: str) -> None:
    with world.database.write() as conn:
        token = directory.add_user(conn, "dgsi", "audrey", Role.AUDITOR)
    for someone in ("alice", "boris"):
        record_alone(world.database, world.viewer(someone), "export", ["x"], {})
    verified = remote(live_url, token, "audit", "verify", "--json")
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.output)["ok"] is True
    shown = remote(live_url, token, "audit", "show", "--json")
    assert shown.exit_code == 0, shown.output
    rows = json.loads(shown.output)
    # Only the entries of dgsi's people, nobody of fsb's.
    assert [(row["user"], row["action"]) for row in rows] == [("alice", "export")]
    # A liaison officer reads nothing, and the refusal is an entry.
    refused = remote(live_url, world.tokens["alice"], "audit", "show")
    assert refused.exit_code == 1
    assert "only an auditor" in refused.output
    with world.database.read() as conn:
        log = [e.action for e in entries(conn, username="alice")]
    assert log == ["export", "read-audit-refused"]
