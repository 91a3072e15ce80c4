"""The node's audit key file: made once, kept outside the database, refused when unfit,
never shown; and the boundary between unkeyed and keyed entries that only it can move."""

from __future__ import annotations

import json
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from sqlalchemy import update

from passerelle.app import create_app
from passerelle.audit import log as audit
from passerelle.audit.key import WORKING_DIRECTORY_KEY, key_path, read_key, use_audit_key
from passerelle.errors import PasserelleError
from passerelle.settings import AuditSettings, Settings
from passerelle.store.database import Database, open_database
from passerelle.store.schema import audit_log
from tests.audit.support import append_unkeyed, one_line_error, rewrite, rows
from tests.cli_runner import Run
from tests.world import World


@pytest.fixture
def bare(database_url: str) -> Iterator[Database]:
    """The test's database as a node of the version before audit keys left it: no key."""
    database = open_database(database_url)
    yield database
    database.dispose()


def secret_of(path: Path) -> str:
    secret: str = json.loads(path.read_text())["secret"]
    return secret


# -- made once, 0600, outside the database ---------------------------------------------------


def test_the_key_file_is_made_with_mode_0600_and_32_random_bytes(
    bare: Database, tmp_path: Path
) -> None:
    (tmp_path / "keys").mkdir()
    path = tmp_path / "keys" / "node.audit-key"
    key = use_audit_key(bare, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert set(data) == {"passerelle_audit_key", "keyed_from", "secret"}
    assert bytes.fromhex(data["secret"]) == key.secret
    assert len(key.secret) == 32
    assert key.keyed_from == data["keyed_from"] == 1
    # No temporary file is left beside it.
    assert [p.name for p in path.parent.iterdir()] == ["node.audit-key"]


def test_a_fresh_log_opens_with_the_entry_that_marks_the_key(
    bare: Database, tmp_path: Path
) -> None:
    use_audit_key(bare, tmp_path / "k")
    [entry] = rows(bare)
    assert (entry["seq"], entry["action"], entry["detail"]) == (
        1,
        "audit-key-created",
        '{"keyed_from":1}',
    )


def test_the_key_is_read_again_not_remade(
    bare: Database, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "k"
    first = use_audit_key(bare, path)
    other = open_database(database_url)
    assert use_audit_key(other, path) == first
    other.dispose()
    assert [r["action"] for r in rows(bare)] == ["audit-key-created"]


def test_two_processes_starting_together_agree_on_one_key(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "k"
    handles = [open_database(database_url) for _ in range(4)]
    keys: list[object] = []
    errors: list[BaseException] = []

    def start(database: Database) -> None:
        try:
            keys.append(use_audit_key(database, path))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(h,)) for h in handles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(keys) == 4
    assert all(k == keys[0] for k in keys)
    assert [r["action"] for r in rows(handles[0])] == ["audit-key-created"]
    for handle in handles:
        handle.dispose()


def test_the_default_key_file_is_beside_a_sqlite_file_and_never_one_of_its_own_files() -> None:
    path = key_path("", "sqlite:////srv/passerelle/passerelle.db")
    assert path == Path("/srv/passerelle/passerelle.audit-key")
    # Not caught by a copy of passerelle.db* (the database, its -wal and -shm).
    assert not path.name.startswith("passerelle.db")
    assert key_path("", "postgresql://u@h/db") == Path(WORKING_DIRECTORY_KEY)
    assert key_path("/etc/passerelle/audit.key", "sqlite:///x.db") == Path(
        "/etc/passerelle/audit.key"
    )


def test_init_makes_the_key_beside_the_sqlite_file_and_says_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from passerelle.cli import cli

    monkeypatch.delenv("PASSERELLE_AUDIT_KEY_FILE")
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path}/node.db", "init"])
    assert result.exit_code == 0, result.output
    key = tmp_path / "node.audit-key"
    assert f"audit key: {key}" in result.output
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert secret_of(key) not in result.output


# -- refused when unfit, in one line, without the secret ---------------------------------------


MALFORMED = [
    b"",
    b"not json",
    b"[]",
    b'{"passerelle_audit_key": 1, "keyed_from": 1}',
    b'{"passerelle_audit_key": 2, "keyed_from": 1, "secret": "' + b"ab" * 32 + b'"}',
    b'{"passerelle_audit_key": true, "keyed_from": 1, "secret": "' + b"ab" * 32 + b'"}',
    b'{"passerelle_audit_key": 1, "keyed_from": 0, "secret": "' + b"ab" * 32 + b'"}',
    b'{"passerelle_audit_key": 1, "keyed_from": "1", "secret": "' + b"ab" * 32 + b'"}',
    b'{"passerelle_audit_key": 1, "keyed_from": 1, "secret": "' + b"ab" * 31 + b'"}',
    b'{"passerelle_audit_key": 1, "keyed_from": 1, "secret": "' + b"AB" * 32 + b'"}',
    b'{"passerelle_audit_key": 1, "keyed_from": 1, "secret": "' + b"ab" * 32 + b'", "x": 1}',
    b" " * 5000,
]


@pytest.mark.parametrize("content", MALFORMED, ids=range(len(MALFORMED)))
def test_a_malformed_key_file_stops_the_node_in_one_line_without_quoting_it(
    run: Run, audit_key_file: Path, content: bytes
) -> None:
    audit_key_file.write_bytes(content)
    audit_key_file.chmod(0o600)
    line = one_line_error(run("org", "list"))
    assert f"the audit key file {audit_key_file} is malformed" in line
    assert "ab" * 8 not in line
    assert "AB" * 8 not in line


def test_an_unreadable_key_file_stops_the_node_in_one_line(run: Run, audit_key_file: Path) -> None:
    audit_key_file.mkdir()  # unreadable whoever runs the tests, root included
    line = one_line_error(run("org", "list"))
    assert f"cannot read the audit key file {audit_key_file}" in line


def test_a_key_file_the_node_cannot_open_stops_the_node(
    run: Run, audit_key_file: Path, database: Database
) -> None:
    # The node has its key and a signed log; then its key file cannot be opened. Mode 000
    # would not do it as root (CI runs as root); a symbolic link to itself fails for anyone.
    audit_key_file.unlink()
    audit_key_file.symlink_to(audit_key_file.name)
    line = one_line_error(run("org", "list"))
    assert f"cannot read the audit key file {audit_key_file}" in line


def test_a_key_file_other_users_may_read_is_refused(
    run: Run, audit_key_file: Path, database: Database
) -> None:
    audit_key_file.chmod(0o644)
    line = one_line_error(run("org", "list"))
    assert "open to other users (mode 0644)" in line
    assert secret_of(audit_key_file) not in line


def test_a_key_file_in_a_missing_directory_stops_the_node_in_one_line(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PASSERELLE_AUDIT_KEY_FILE", str(tmp_path / "nowhere" / "k"))
    line = one_line_error(run("org", "list"))
    assert "cannot create the audit key file" in line


def test_the_app_refuses_to_start_on_a_malformed_key_file(tmp_path: Path) -> None:
    key = tmp_path / "k"
    key.write_text("{}")
    key.chmod(0o600)
    settings = Settings(db_url=f"sqlite:///{tmp_path}/node.db", audit=AuditSettings(str(key)))
    with pytest.raises(PasserelleError, match="is malformed"):
        create_app(settings)


def test_a_database_without_its_key_writes_no_entry(bare: Database) -> None:
    with pytest.raises(RuntimeError, match="without the node's audit key"):
        audit.record_alone(bare, None, "login-failed", username="x")
    with pytest.raises(PasserelleError, match="without the node's audit key"):
        create_app(Settings(db_url="unused://"), bare)
    assert rows(bare) == []


def test_the_secret_is_never_shown(world: World, run: Run, audit_key_file: Path) -> None:
    secret = secret_of(audit_key_file)
    assert world.database.audit_key is not None
    assert secret not in repr(world.database.audit_key)
    outputs = [
        run("init").output,
        run("audit", "verify").output,
        run("audit", "verify", "--json").output,
        run("audit", "checkpoint").output,
    ]
    assert all(secret not in output for output in outputs)
    assert secret not in json.dumps(rows(world.database))


# -- the boundary: a node upgraded from unkeyed entries -----------------------------------


def test_entries_from_before_the_key_stay_verifiable_as_they_were(
    bare: Database, tmp_path: Path
) -> None:
    append_unkeyed(bare, 5)
    before = rows(bare)
    key = use_audit_key(bare, tmp_path / "k")
    assert key.keyed_from == 6
    audit.record_alone(bare, None, "login-failed", username="x")
    after = rows(bare)
    assert after[:5] == before
    assert [r["action"] for r in after[5:]] == ["audit-key-created", "login-failed"]
    with bare.read() as conn:
        verdict = audit.verify(conn, key)
    assert (verdict.ok, verdict.checked, verdict.keyed_from) == (True, 7, 6)


@pytest.fixture
def upgraded(bare: Database, tmp_path: Path) -> Database:
    """A node with 5 unkeyed entries, then its key, then 3 keyed entries."""
    append_unkeyed(bare, 5)
    use_audit_key(bare, tmp_path / "k")
    for n in range(3):
        audit.record_alone(bare, None, "login-failed", username=f"u{n}")
    return bare


def verdict_of(database: Database) -> audit.Verdict:
    assert database.audit_key is not None
    with database.read() as conn:
        return audit.verify(conn, database.audit_key)


def test_rewriting_the_whole_log_unkeyed_does_not_move_the_boundary(upgraded: Database) -> None:
    # The intruder rehashes every entry the old way, as if the node had never had a key.
    rewrite(upgraded, rows(upgraded))
    verdict = verdict_of(upgraded)
    assert not verdict.ok
    assert verdict.problem == "entry 6 was altered"


def test_the_unkeyed_entries_cannot_be_rewritten_either(upgraded: Database) -> None:
    entries = rows(upgraded)
    # Remove an unkeyed entry, rechain the unkeyed part, keep the keyed part as it was.
    rewrite(upgraded, entries[:2] + entries[3:5])
    keyed = [{**e, "seq": e["seq"] - 1} for e in entries[5:]]
    with upgraded.write() as conn:
        conn.execute(audit_log.insert(), keyed)
    verdict = verdict_of(upgraded)
    assert not verdict.ok
    assert verdict.problem in ("entry 5 does not follow entry 4", "entry 5 was altered")


def test_removing_the_keyed_entries_is_detected(upgraded: Database) -> None:
    rewrite(upgraded, rows(upgraded)[:5])
    verdict = verdict_of(upgraded)
    assert not verdict.ok
    assert "the log ends at entry 5, before entry 6 where the audit key" in verdict.problem


def test_cutting_back_into_the_unkeyed_entries_is_not_hidden_by_new_entries(
    upgraded: Database,
) -> None:
    rewrite(upgraded, rows(upgraded)[:3])
    # The node goes on writing until the log is as long as before, past the boundary.
    for n in range(6):
        audit.record_alone(upgraded, None, "login-failed", username=f"v{n}")
    assert len(rows(upgraded)) == 9
    assert verdict_of(upgraded).problem == "entry 4 was altered"


def test_editing_the_boundary_entry_is_detected(upgraded: Database) -> None:
    with upgraded.write() as conn:
        conn.execute(
            update(audit_log).where(audit_log.c.seq == 6).values(detail='{"keyed_from":9}')
        )
    assert verdict_of(upgraded).problem == "entry 6 was altered"


def test_a_node_without_its_key_file_refuses_to_make_another_over_a_signed_log(
    run: Run, world: World, audit_key_file: Path
) -> None:
    audit.record_alone(world.database, None, "login-failed", username="x")
    audit_key_file.unlink()  # lost, or a second host never given a copy
    line = one_line_error(run("audit", "verify"))
    assert "the audit log is already signed by a key" in line
    assert "PASSERELLE_AUDIT_KEY_FILE" in line
    assert not audit_key_file.exists()


def test_read_key_says_when_there_is_no_file(tmp_path: Path) -> None:
    with pytest.raises(PasserelleError, match="no audit key file"):
        read_key(tmp_path / "absent")


def test_the_key_file_is_json_a_person_can_restore(bare: Database, tmp_path: Path) -> None:
    path = tmp_path / "k"
    use_audit_key(bare, path)
    assert orjson.loads(path.read_bytes())["passerelle_audit_key"] == 1
    assert path.read_bytes().endswith(b"\n")
