"""Attacks on the audit log by someone who can write the database but not read the node's
audit key file: deletion, truncation, recomputation, alteration, forged checkpoints."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from sqlalchemy import delete, update

from passerelle.audit import checkpoints
from passerelle.audit import log as audit
from passerelle.store.schema import audit_log
from tests.audit.support import one_line_error, rewrite, rows, unkeyed, with_key
from tests.cli_runner import Run
from tests.stixgen import indicator
from tests.taxii_client import Taxii
from tests.world import World

ENTRIES = 250


@pytest.fixture
def history(world: World, as_user: Callable[[str], Taxii]) -> int:
    """A log of some 250 entries, some from requests, most from reads; return its length."""
    for n in range(3):
        sent = as_user("alice").post_objects(world.collection("fr-ru"), [indicator(n)])
        assert sent.status_code == 202
    boris = world.viewer("boris")
    for n in range(ENTRIES - len(rows(world.database))):
        audit.record_alone(world.database, boris, "read", [f"indicator--{n}"], {"n": n})
    assert len(rows(world.database)) == ENTRIES
    return ENTRIES


def verified(run: Run, *args: str) -> str:
    result = run("audit", "verify", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def broken(run: Run, *args: str) -> str:
    line = one_line_error(run("audit", "verify", *args))
    assert line.startswith("Error: audit log broken: ")
    return line


def checkpoint_into(run: Run, path: Path) -> None:
    result = run("audit", "checkpoint", "--append", str(path))
    assert result.exit_code == 0, result.output


def test_an_untouched_log_verifies_with_its_checkpoints(
    world: World, history: int, run: Run, tmp_path: Path
) -> None:
    saved = tmp_path / "checkpoints"
    checkpoint_into(run, saved)
    audit.record_alone(world.database, world.viewer("alice"), "read", ["indicator--x"])
    checkpoint_into(run, saved)
    out = verified(run, "--checkpoint", str(saved))
    assert f"audit log intact: {history + 1} entries, keyed from entry 1; 2 checkpoints hold" in out


# -- recomputation: what the review did ---------------------------------------------------


def test_deleting_185_entries_and_recomputing_the_chain_the_old_way_is_detected(
    world: World, history: int, run: Run
) -> None:
    entries = rows(world.database)
    kept = entries[:40] + entries[225:]
    assert len(entries) - len(kept) == 185
    rewrite(world.database, kept)
    assert "entry 1 was altered" in broken(run)


def test_recomputing_with_a_guessed_key_is_detected(world: World, history: int, run: Run) -> None:
    entries = rows(world.database)
    for guess in (b"", b"passerelle", bytes(32)):
        rewrite(world.database, entries[:100] + entries[150:], with_key(guess))
        assert "entry 1 was altered" in broken(run)


def test_deleting_one_entry_in_the_middle_is_detected(world: World, history: int, run: Run) -> None:
    with world.database.write() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == 120))
    assert "entry 120 is missing (found 121)" in broken(run)


def test_renumbering_after_a_deletion_is_detected(world: World, history: int, run: Run) -> None:
    with world.database.write() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == 120))
        conn.execute(update(audit_log).where(audit_log.c.seq > 120).values(seq=audit_log.c.seq - 1))
    assert "entry 120 does not follow entry 119" in broken(run)


def test_emptying_the_log_is_detected(world: World, history: int, run: Run) -> None:
    with world.database.write() as conn:
        conn.execute(delete(audit_log))
    assert "the log ends at entry 0, before entry 1 where the audit key" in broken(run)


def test_an_entry_appended_without_the_key_is_detected(
    world: World, history: int, run: Run
) -> None:
    head = rows(world.database)[-1]
    forged = {**head, "seq": history + 1, "username": "alice", "prev_hash": head["hash"]}
    forged["hash"] = unkeyed(forged, head["hash"])
    with world.database.write() as conn:
        conn.execute(audit_log.insert(), forged)
    assert f"entry {history + 1} was altered" in broken(run)


# -- alteration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("username", "someone-else"),
        ("purpose", "routine"),
        ("object_ids", "[]"),
        ("detail", "{}"),
        ("at", 0),
        ("action", "read-manifest"),
    ],
)
def test_altering_any_field_of_one_entry_is_detected(
    world: World, history: int, run: Run, column: str, value: object
) -> None:
    with world.database.write() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 200).values({column: value}))
    assert "entry 200 was altered" in broken(run)


def test_altering_an_entry_and_rechaining_the_ones_after_it_without_the_key_is_detected(
    world: World, history: int, run: Run
) -> None:
    entries = rows(world.database)
    entries[199]["detail"] = '{"n":"nothing to see"}'
    prev = entries[198]["hash"]
    with world.database.write() as conn:
        for entry in entries[199:]:
            entry["prev_hash"] = prev
            entry["hash"] = prev = unkeyed(entry, prev)
            conn.execute(
                update(audit_log)
                .where(audit_log.c.seq == entry["seq"])
                .values(detail=entry["detail"], prev_hash=entry["prev_hash"], hash=entry["hash"])
            )
    assert "entry 200 was altered" in broken(run)


# -- truncation: what only checkpoints can show -----------------------------------------------


def test_truncating_the_newest_entries_is_detected_by_a_checkpoint(
    world: World, history: int, run: Run, tmp_path: Path
) -> None:
    saved = tmp_path / "checkpoints"
    checkpoint_into(run, saved)
    with world.database.write() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq > history - 10))
    # The shorter chain is consistent: alone, verify cannot tell.
    assert f"audit log intact: {history - 10} entries" in verified(run)
    line = broken(run, "--checkpoint", str(saved))
    assert f"{saved} line 1: entry {history} of the checkpoint of " in line
    assert "is gone: the log was cut short or entries were removed" in line


def test_truncating_then_letting_the_log_grow_back_is_detected_by_a_checkpoint(
    world: World, history: int, run: Run, tmp_path: Path
) -> None:
    saved = tmp_path / "checkpoints"
    checkpoint_into(run, saved)
    with world.database.write() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq > history - 10))
    # The node goes on writing: entry `history` exists again, but is another entry.
    for n in range(10):
        audit.record_alone(world.database, world.viewer("alice"), "read", [f"indicator--{n}"])
    verified(run)
    line = broken(run, "--checkpoint", str(saved))
    assert f"entry {history} differs from the checkpoint of" in line
    assert "the log was rewritten" in line


def test_every_checkpoint_of_a_file_is_checked(
    world: World, history: int, run: Run, tmp_path: Path
) -> None:
    saved = tmp_path / "checkpoints"
    checkpoint_into(run, saved)
    for _ in range(3):
        audit.record_alone(world.database, world.viewer("alice"), "read", [])
        checkpoint_into(run, saved)
    with world.database.write() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq > history + 1))
    assert f"{saved} line 3: entry {history + 2}" in broken(run, "--checkpoint", str(saved))


def test_checkpoints_read_from_a_syslog_with_comments_and_blank_lines(
    world: World, history: int, run: Run, tmp_path: Path
) -> None:
    line = run("audit", "checkpoint").stdout.strip()
    saved = tmp_path / "syslog"
    saved.write_text(
        f"# checkpoints of node A\n\nMar  1 12:00:00 archive passerelle-audit: {line}\n"
    )
    assert "1 checkpoints hold" in verified(run, "--checkpoint", str(saved))


# -- forged checkpoints ----------------------------------------------------------------------


def forge(line: str, **changes: object) -> str:
    data = json.loads(line)
    data.update(changes)
    return json.dumps(data)


def test_a_checkpoint_with_a_forged_mac_is_refused(
    world: World, history: int, run: Run, tmp_path: Path
) -> None:
    line = run("audit", "checkpoint").stdout.strip()
    saved = tmp_path / "checkpoints"
    saved.write_text(forge(line, mac="0" * 64) + "\n")
    refused = broken(run, "--checkpoint", str(saved))
    assert f"{saved} line 1: the checkpoint is not signed by this node's audit key" in refused


def test_a_checkpoint_matched_to_a_rewritten_log_is_refused(
    world: World, history: int, run: Run, tmp_path: Path
) -> None:
    # The intruder truncates, then edits the checkpoint to the new head, keeping its MAC.
    line = run("audit", "checkpoint").stdout.strip()
    with world.database.write() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq > 100))
    head = rows(world.database)[-1]
    saved = tmp_path / "checkpoints"
    saved.write_text(forge(line, seq=100, hash=head["hash"]) + "\n")
    assert "is not signed by this node's audit key" in broken(run, "--checkpoint", str(saved))


def test_a_checkpoint_signed_by_another_key_is_refused(
    world: World, history: int, run: Run, tmp_path: Path
) -> None:
    assert world.database.audit_key is not None
    other = type(world.database.audit_key)(bytes(32), 1, "elsewhere")
    head = rows(world.database)[-1]
    forged = checkpoints.sign(other, head["seq"], head["hash"], 1_800_000_000_000_000)
    saved = tmp_path / "checkpoints"
    saved.write_text(forged.line() + "\n")
    assert "is not signed by this node's audit key" in broken(run, "--checkpoint", str(saved))


def test_an_entry_mac_cannot_pass_for_a_checkpoint_mac(
    world: World, history: int, run: Run, tmp_path: Path
) -> None:
    head = rows(world.database)[-1]
    line = run("audit", "checkpoint").stdout.strip()
    saved = tmp_path / "checkpoints"
    saved.write_text(forge(line, mac=head["hash"]) + "\n")
    assert "is not signed by this node's audit key" in broken(run, "--checkpoint", str(saved))


@pytest.mark.parametrize(
    "text",
    [
        "not a checkpoint",
        '{"seq": 1}',
        '{"passerelle_audit_checkpoint":1,"seq":-1,"hash":"'
        + "0" * 64
        + '","at":"x","mac":"'
        + "0" * 64
        + '"}',
    ],
)
def test_a_line_that_is_no_checkpoint_fails_the_verification(
    world: World, history: int, run: Run, tmp_path: Path, text: str
) -> None:
    saved = tmp_path / "checkpoints"
    saved.write_text(text + "\n")
    assert f"{saved} line 1 is not an audit checkpoint" in broken(run, "--checkpoint", str(saved))


def test_a_missing_checkpoint_file_is_a_one_line_error(
    world: World, run: Run, tmp_path: Path
) -> None:
    line = one_line_error(run("audit", "verify", "--checkpoint", str(tmp_path / "absent")))
    assert "No such file" in line


# -- what a checkpoint holds, and when it is refused ----------------------------------------


def test_a_checkpoint_states_the_head_and_is_signed(world: World, history: int, run: Run) -> None:
    printed = run("audit", "checkpoint")
    assert printed.exit_code == 0
    data = orjson.loads(printed.stdout)
    head = rows(world.database)[-1]
    assert (data["seq"], data["hash"]) == (head["seq"], head["hash"])
    assert set(data) == {"passerelle_audit_checkpoint", "seq", "hash", "at", "mac"}
    parsed = checkpoints.parse(printed.stdout)
    assert parsed is not None
    assert world.database.audit_key is not None
    assert checkpoints.is_signed(world.database.audit_key, parsed)


def test_no_checkpoint_is_signed_for_a_broken_log(
    world: World, history: int, run: Run, tmp_path: Path
) -> None:
    with world.database.write() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 7).values(purpose="routine"))
    saved = tmp_path / "checkpoints"
    line = one_line_error(run("audit", "checkpoint", "--append", str(saved)))
    assert line == "Error: audit log broken: entry 7 was altered"
    assert not saved.exists()


def test_verify_json_reports_the_checkpoints(
    world: World, history: int, run: Run, tmp_path: Path
) -> None:
    saved = tmp_path / "checkpoints"
    checkpoint_into(run, saved)
    result = run("audit", "verify", "--json", "--checkpoint", str(saved))
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert (report["ok"], report["checked"], report["checkpoints"]) == (True, history, 1)
    assert report["keyed_from"] == 1
