"""The audit log: who read, wrote, deleted, granted, acknowledged or exported what, for
which declared purpose; its hash chain; and who may read it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import delete, select, update

from passerelle.audit import log as audit
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from passerelle.store.schema import audit_log
from tests.cli_runner import Run
from tests.stixgen import indicator
from tests.taxii_client import Taxii
from tests.world import World

PURPOSE = "X-Passerelle-Purpose"


@pytest.fixture
def auditor(run: Run, world: World) -> str:
    """An auditor of dgsi, created on the command line."""
    assert run("user", "add", "dgsi", "audrey", "--role", "auditor").exit_code == 0
    return "audrey"


def entries(world: World, **filters: Any) -> list[audit.Entry]:
    with world.database.read() as conn:
        return audit.entries(conn, **filters)


def by(world: World, username: str, action: str) -> list[audit.Entry]:
    return [e for e in entries(world, username=username) if e.action == action]


def h2(n: int) -> dict[str, Any]:
    obj = indicator(n, object_marking_refs=[TLP2_IDS[Tlp.AMBER]])
    obj["extensions"] = {
        HANDLING_EXTENSION_ID: {"extension_type": "property-extension", "handling_codes": ["H2"]}
    }
    return obj


def shared(as_user: Callable[[str], Taxii], world: World, count: int = 3) -> list[str]:
    """Post objects into fr-ru as alice, one envelope each; return their ids."""
    sent = [indicator(n) for n in range(count)]
    for obj in sent:
        assert as_user("alice").post_objects(world.collection("fr-ru"), [obj]).status_code == 202
    return [o["id"] for o in sent]


def read_entries(world: World, username: str) -> list[audit.Entry]:
    """Entries of a user that record reading objects (any read action)."""
    return [e for e in entries(world, username=username) if e.action.startswith("read")]


# -- reads, with their purpose -------------------------------------------------------------


def test_reading_objects_records_the_ids_served_the_user_and_the_declared_purpose(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    sent = set(shared(as_user, world))
    response = as_user("boris").get(
        f"/collections/{world.collection('fr-ru')}/objects/", None, **{PURPOSE: "case 2026-17"}
    )
    assert {o["id"] for o in response.json()["objects"]} == sent
    found = [e for e in read_entries(world, "boris") if set(e.object_ids) == sent]
    assert len(found) == 1
    assert (found[0].purpose, found[0].org_name) == ("case 2026-17", "fsb")


def test_reading_one_object_records_it(as_user: Callable[[str], Taxii], world: World) -> None:
    wanted = shared(as_user, world)[0]
    response = as_user("boris").get(f"/collections/{world.collection('fr-ru')}/objects/{wanted}/")
    assert response.status_code == 200
    assert [e.object_ids for e in read_entries(world, "boris")] == [(wanted,)]


def test_reading_the_manifest_records_the_ids_listed_and_the_declared_purpose(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    sent = shared(as_user, world)
    as_user("boris").get(
        f"/collections/{world.collection('fr-ru')}/manifest/", None, **{PURPOSE: "case 2026-17"}
    )
    [entry] = by(world, "boris", "read-manifest")
    assert sorted(entry.object_ids) == sorted(sent)
    assert entry.purpose == "case 2026-17"


def test_a_users_default_purpose_is_recorded_when_the_request_declares_none(
    as_user: Callable[[str], Taxii], world: World, run: Run
) -> None:
    added = run("user", "add", "fsb", "fedor", "--purpose", "triage of partner tips")
    world.tokens["fedor"] = added.stdout.splitlines()[0]
    shared(as_user, world, 1)
    as_user("fedor").get(f"/collections/{world.collection('fr-ru')}/manifest/")
    [entry] = by(world, "fedor", "read-manifest")
    assert entry.purpose == "triage of partner tips"


def test_a_declared_purpose_takes_precedence_over_the_users_default(
    as_user: Callable[[str], Taxii], world: World, run: Run
) -> None:
    added = run("user", "add", "fsb", "fedor", "--purpose", "triage of partner tips")
    world.tokens["fedor"] = added.stdout.splitlines()[0]
    shared(as_user, world, 1)
    as_user("fedor").get(
        f"/collections/{world.collection('fr-ru')}/manifest/", None, **{PURPOSE: "case 2026-17"}
    )
    [entry] = by(world, "fedor", "read-manifest")
    assert entry.purpose == "case 2026-17"


# -- what changes or leaves the node -----------------------------------------------------


def test_a_write_is_recorded_with_the_ids_accepted(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    good = [indicator(1), indicator(2)]
    broken = indicator(3, pattern="[not a pattern")
    as_user("alice").post_objects(world.collection("fr-ru"), [*good, broken])
    [entry] = by(world, "alice", "write")
    assert sorted(entry.object_ids) == sorted(o["id"] for o in good)
    assert entry.detail == {"channel": "fr-ru", "rejected": 1}
    assert entry.org_name == "dgsi"


def test_a_delete_is_recorded(as_user: Callable[[str], Taxii], world: World) -> None:
    [gone] = shared(as_user, world, 1)
    response = as_user("alice").delete(f"/collections/{world.collection('fr-ru')}/objects/{gone}/")
    assert response.status_code == 200
    [entry] = by(world, "alice", "delete")
    assert (entry.object_ids, entry.detail) == ((gone,), {"channel": "fr-ru"})


def test_a_grant_of_court_use_is_recorded(
    as_user: Callable[[str], Taxii], world: World, run: Run
) -> None:
    obj = h2(1)
    as_user("alice").post_objects(world.collection("fr-ru"), [obj])
    assert run("grant", obj["id"], "--court", "--to", "fsb", user="alice").exit_code == 0
    [entry] = by(world, "alice", "grant")
    assert entry.object_ids == (obj["id"],)
    assert entry.detail == {"kind": "court", "to": "fsb"}


def test_a_grant_of_onward_sharing_is_recorded_with_its_channel(
    as_user: Callable[[str], Taxii], world: World, run: Run
) -> None:
    obj = h2(1)
    as_user("alice").post_objects(world.collection("fr-ru"), [obj])
    assert run("grant", obj["id"], "--channel", "community", user="alice").exit_code == 0
    [entry] = by(world, "alice", "grant")
    assert entry.object_ids == (obj["id"],)
    assert entry.detail == {"kind": "onward", "channel": "community"}


def test_an_acknowledgement_is_recorded(as_user: Callable[[str], Taxii], world: World) -> None:
    obj = indicator(1)
    obj["extensions"] = {
        HANDLING_EXTENSION_ID: {
            "extension_type": "property-extension",
            "handling_codes": ["H3"],
            "h3_text": "Protect the source",
        }
    }
    as_user("alice").post_objects(world.collection("fr-ru"), [obj])
    boris = as_user("boris")
    response = boris.client.post(
        "/api/acknowledgements", json={"object_id": obj["id"]}, auth=boris.auth
    )
    assert response.status_code == 200
    [entry] = by(world, "boris", "acknowledge")
    assert entry.object_ids == (obj["id"],)


def test_an_export_is_recorded_with_the_ids_exported(
    as_user: Callable[[str], Taxii], world: World, run: Run
) -> None:
    sent = shared(as_user, world)
    assert (
        run("--purpose", "court file 12", "export", "--channel", "fr-ru", user="boris").exit_code
        == 0
    )
    [entry] = by(world, "boris", "export")
    assert sorted(entry.object_ids) == sorted(sent)
    assert entry.detail == {"channel": "fr-ru", "court": False}
    assert entry.purpose == "court file 12"


def test_a_failed_login_is_recorded(as_user: Callable[[str], Taxii], world: World) -> None:
    client = as_user("boris").client
    response = client.get("/taxii2/root/collections/", auth=("boris", "psl_not-his-token"))
    assert response.status_code == 401
    [entry] = by(world, "boris", "login-failed")
    assert (entry.org_name, entry.object_ids) == ("", ())


def test_a_token_presented_under_another_name_is_a_failed_login(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    client = as_user("boris").client
    response = client.get("/taxii2/root/collections/", auth=("alice", world.tokens["boris"]))
    assert response.status_code == 401
    assert len(by(world, "alice", "login-failed")) == 1


# -- the hash chain ----------------------------------------------------------------------


@pytest.fixture
def history(as_user: Callable[[str], Taxii], world: World) -> int:
    """Some activity in the log; return how many entries it holds."""
    shared(as_user, world, 4)
    as_user("boris").get(f"/collections/{world.collection('fr-ru')}/manifest/")
    count = len(entries(world))
    assert count >= 5
    return count


def broken(result: Result) -> str:
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: audit log broken: ")
    return lines[0]


def test_verify_passes_on_an_untouched_log(world: World, history: int, run: Run) -> None:
    result = run("audit", "verify")
    assert result.exit_code == 0
    assert f"audit log intact: {history} entries" in result.stdout


def test_verify_passes_on_an_empty_log(world: World, run: Run) -> None:
    result = run("audit", "verify", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["ok"] is True


def test_verify_prints_the_head_hash(world: World, history: int, run: Run) -> None:
    head = entries(world)[-1].hash
    assert run("audit", "verify").stdout.strip().endswith(head)


def test_verify_detects_an_altered_entry(world: World, history: int, run: Run) -> None:
    with world.database.write() as conn:
        conn.execute(
            update(audit_log).where(audit_log.c.seq == 2).values(detail='{"channel":"elsewhere"}')
        )
    assert "entry 2 was altered" in broken(run("audit", "verify"))


def test_verify_detects_an_altered_entry_whose_hash_was_recomputed(
    world: World, history: int, run: Run
) -> None:
    with world.database.write() as conn:
        row = conn.execute(select(audit_log).where(audit_log.c.seq == 2)).one()
        fields = {
            name: getattr(row, name)
            for name in ("seq", "at", "username", "org_name", "action", "purpose", "object_ids")
        }
        forged = audit.unkeyed_hash(**fields, detail="{}", prev_hash=row.prev_hash)
        conn.execute(update(audit_log).where(audit_log.c.seq == 2).values(detail="{}", hash=forged))
    # Without the node's audit key, no hash computed from the database alone passes.
    assert "entry 2 was altered" in broken(run("audit", "verify"))


def test_verify_detects_a_removed_entry(world: World, history: int, run: Run) -> None:
    with world.database.write() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == 3))
    assert "entry 3 is missing" in broken(run("audit", "verify"))


def test_verify_detects_two_swapped_entries(world: World, history: int, run: Run) -> None:
    with world.database.write() as conn:
        for old, new in ((2, -1), (3, 2), (-1, 3)):
            conn.execute(update(audit_log).where(audit_log.c.seq == old).values(seq=new))
    assert "entry 2" in broken(run("audit", "verify"))


# -- who reads the log ---------------------------------------------------------------------


def show(run: Run, *args: str) -> list[dict[str, Any]]:
    result = run("audit", "show", "--json", *args)
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def test_an_auditor_reads_the_whole_log(
    as_user: Callable[[str], Taxii], world: World, run: Run, auditor: str
) -> None:
    sent = shared(as_user, world, 2)
    rows = show(run, "--as", auditor)
    writes = [r for r in rows if r["action"] == "write"]
    assert [r["objects"] for r in writes] == [[sent[0]], [sent[1]]]
    assert {(r["user"], r["organisation"]) for r in writes} == {("alice", "dgsi")}
    assert [r["seq"] for r in rows] == sorted(r["seq"] for r in rows)


def test_an_auditor_reads_the_entries_about_one_object(
    as_user: Callable[[str], Taxii], world: World, run: Run, auditor: str
) -> None:
    sent = shared(as_user, world, 2)
    as_user("boris").get(f"/collections/{world.collection('fr-ru')}/manifest/")
    rows = show(run, "--user", auditor, "--object", sent[0])
    assert [(r["user"], r["action"]) for r in rows] == [
        ("alice", "write"),
        ("boris", "read-manifest"),
    ]
    assert all(sent[0] in r["objects"] for r in rows)


def test_an_auditor_reads_the_entries_of_one_user(
    as_user: Callable[[str], Taxii], world: World, run: Run, auditor: str
) -> None:
    shared(as_user, world, 2)
    as_user("boris").get(f"/collections/{world.collection('fr-ru')}/manifest/")
    rows = show(run, "--user", auditor, "--by", "boris")
    assert [r["action"] for r in rows] == ["read-manifest"]


def test_reading_the_log_is_itself_recorded(world: World, run: Run, auditor: str) -> None:
    show(run, "--user", auditor, "--by", "boris")
    [entry] = by(world, auditor, "read-audit")
    assert entry.detail == {"object": None, "user": "boris"}


def test_an_analyst_may_not_read_the_log(
    as_user: Callable[[str], Taxii], world: World, run: Run
) -> None:
    shared(as_user, world, 1)
    result = run("audit", "show", "--json", "--user", "alain")
    assert result.exit_code == 1
    assert "only an auditor" in result.output
    assert "alice" not in result.output


def test_the_old_name_of_user_still_names_the_reader_but_never_as_a_filter(
    world: World, run: Run, auditor: str
) -> None:
    # --as was the reader's option and --user a filter; --user is now the reader, as in
    # every other command, so a script giving both the old way gets an error, not the
    # log read as someone else.
    assert show(run, "--as", auditor)
    mixed = run("audit", "show", "--as", auditor, "--user", "boris")
    assert mixed.exit_code == 2
    assert "--by" in mixed.output
    assert by(world, "boris", "read-audit") == []
