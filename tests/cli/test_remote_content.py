"""``import`` and ``export`` with ``--url``: the same rules over REST as on the database,
for every person of the world, and the refusals in the audit log."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner, Result

from passerelle.audit.log import entries
from passerelle.cli import cli
from passerelle.policy.roles import Role
from passerelle.stix.markings import Tlp
from tests.cli_runner import cli_runner
from tests.policy.test_actions import H3_TEXT, handled
from tests.stixgen import indicator
from tests.world import World

PEOPLE = ("alice", "alain", "boris", "carla", "oscar")


def remote(url: str, token: str, *args: str, stdin: str | None = None) -> Result:
    env = {"PASSERELLE_TOKEN": token, "PASSERELLE_USER": ""}
    return CliRunner().invoke(cli, [*args, "--url", url], env=env, input=stdin)


def bundle_of(*objects: dict[str, Any]) -> str:
    return json.dumps({"type": "bundle", "id": "bundle--1", "objects": list(objects)})


def ids(output: str) -> list[str]:
    return sorted(obj["id"] for obj in json.loads(output)["objects"])


def test_a_remote_import_stores_what_the_rules_allow_and_fails_on_any_rejection(
    world: World, live_url: str
) -> None:
    good = [indicator(n) for n in range(3)]
    bad = {"type": "indicator", "id": "indicator--not-a-uuid"}
    answer = remote(
        live_url,
        world.tokens["alice"],
        "import",
        "-",
        "--channel",
        "fr-ru",
        "--json",
        stdin=bundle_of(*good, bad),
    )
    assert answer.exit_code == 1
    summary = json.loads(answer.stdout)
    assert (summary["channel"], summary["accepted"]) == ("fr-ru", 3)
    assert [r["id"] for r in summary["rejected"]] == ["indicator--not-a-uuid"]
    assert "1 of 4 objects rejected (3 stored)" in answer.output
    exported = remote(live_url, world.tokens["boris"], "export", "--channel", "fr-ru")
    assert exported.exit_code == 0, exported.output
    assert ids(exported.stdout) == sorted(obj["id"] for obj in good)


def test_a_remote_import_into_a_channel_one_may_only_read_is_refused(
    world: World, live_url: str
) -> None:
    answer = remote(
        live_url,
        world.tokens["carla"],
        "import",
        "-",
        "--channel",
        "community",
        stdin=bundle_of(indicator(1)),
    )
    assert answer.exit_code == 1
    assert "Traceback" not in answer.output
    with world.database.read() as conn:
        assert not any(e.action == "write" for e in entries(conn, username="carla"))


def test_every_person_exports_over_rest_exactly_what_they_export_locally(
    world: World, live_url: str, database_url: str
) -> None:
    run = cli_runner(database_url)
    mixed = [
        handled(1, Tlp.GREEN),
        handled(2, Tlp.AMBER),
        handled(3, Tlp.RED),
        handled(4, Tlp.AMBER, codes=("H3",), h3_text=H3_TEXT),
    ]
    stored = run("import", "-", "--channel", "fr-ru", user="alice", stdin=bundle_of(*mixed))
    assert stored.exit_code == 0, stored.output
    for person in PEOPLE:
        local = run("export", "--channel", "fr-ru", user=person)
        far = remote(live_url, world.tokens[person], "export", "--channel", "fr-ru")
        assert far.exit_code == local.exit_code, (person, far.output)
        if local.exit_code:
            # One line, and the same refusal, whatever the path.
            assert far.output.strip().splitlines()[-1] == local.output.strip().splitlines()[-1]
            continue
        assert ids(far.stdout) == ids(local.stdout), person
        assert mixed[2]["id"] not in far.stdout  # never TLP:RED in bulk
    # boris has not acknowledged the H3 object: it is withheld and said so, on both paths.
    far = remote(live_url, world.tokens["boris"], "export", "--channel", "fr-ru")
    assert f"withheld {mixed[3]['id']}" in far.stderr
    assert json.loads(far.stdout)["x_passerelle_withheld"] == [mixed[3]["id"]]
    assert "TLP:AMBER" in far.stderr


def test_a_remote_court_export_is_refused_and_audited(world: World, live_url: str) -> None:
    h1 = handled(1, Tlp.AMBER, codes=("H1",))
    stored = remote(
        live_url, world.tokens["alice"], "import", "-", "--channel", "fr-ru", stdin=bundle_of(h1)
    )
    assert stored.exit_code == 0, stored.output
    refused = remote(live_url, world.tokens["boris"], "export", "--channel", "fr-ru", "--for-court")
    assert refused.exit_code == 1
    assert "H1" in refused.output
    assert refused.stdout == ""
    with world.database.read() as conn:
        [entry] = [e for e in entries(conn) if e.action == "export-refused"]
    assert (entry.username, entry.object_ids) == ("boris", (h1["id"],))


def test_a_remote_erase_is_the_producers_admins_and_refused_to_anyone_else(
    world: World, live_url: str
) -> None:
    from passerelle.policy import directory

    mine = indicator(7)
    stored = remote(live_url, world.tokens["alice"], "import", "-", "--channel", "fr-ru",
                    stdin=bundle_of(mine))  # fmt: skip
    assert stored.exit_code == 0, stored.output
    with world.database.write() as conn:
        dgsi_admin = directory.add_user(conn, "dgsi", "ada", Role.ADMIN)
        fsb_admin = directory.add_user(conn, "fsb", "boss", Role.ADMIN)
    for token in (world.tokens["alice"], fsb_admin, world.tokens["boris"]):
        refused = remote(live_url, token, "erase", mine["id"], "--reason", "mine now")
        assert refused.exit_code != 0
        assert "only an admin or auditor of the organisation that produced" in refused.output
        assert "Traceback" not in refused.output
    assert ids(remote(live_url, world.tokens["boris"], "export", "--channel", "fr-ru").stdout) == [
        mine["id"]
    ]
    done = remote(live_url, dgsi_admin, "erase", mine["id"], "--reason", "court order 12",
                  "--json")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["channels"] == 1
    for user in ("alice", "boris"):
        exported = remote(live_url, world.tokens[user], "export", "--channel", "fr-ru")
        assert ids(exported.stdout) == []
    with world.database.read() as conn:
        erased = [e for e in entries(conn) if e.action == "erase"]
    assert [(e.username, e.object_ids) for e in erased] == [("ada", (mine["id"],))]
    assert erased[0].detail["reason"] == "court order 12"
    assert erased[0].detail["for"] == "data-protection"
