"""Web passwords: ``passerelle user password`` stores an argon2 hash, never the password,
and sign-in checks it; bad passwords are refused in one line."""

from __future__ import annotations

from sqlalchemy import select

from passerelle.policy.passwords import viewer_by_password
from passerelle.store.schema import users
from tests.cli_runner import Run
from tests.world import World

SECRET = "a long enough secret"


def _hash_of(world: World, username: str) -> str | None:
    with world.database.read() as conn:
        return conn.execute(
            select(users.c.password_hash).where(users.c.username == username)
        ).scalar_one()


def test_user_password_stores_an_argon2_hash(run: Run, world: World) -> None:
    result = run("user", "password", "alice", stdin=f"{SECRET}\n{SECRET}\n")
    assert result.exit_code == 0, result.output
    stored = _hash_of(world, "alice")
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert SECRET not in stored
    with world.database.write() as conn:
        signed = viewer_by_password(conn, "alice", SECRET, "checking")
        wrong = viewer_by_password(conn, "alice", SECRET + "!", "checking")
        other = viewer_by_password(conn, "boris", SECRET, "checking")
    assert signed is not None
    assert (signed.username, signed.org_name, signed.purpose) == ("alice", "dgsi", "checking")
    assert wrong is None
    assert other is None


def test_bad_passwords_and_unknown_users_are_refused_in_one_line(run: Run, world: World) -> None:
    short = run("user", "password", "alice", "--password", "short")
    assert short.exit_code != 0
    assert "12 to 1024 characters" in short.output
    assert "Traceback" not in short.output
    unknown = run("user", "password", "nobody", "--password", SECRET)
    assert unknown.exit_code != 0
    assert "no user named 'nobody'" in unknown.output
    assert _hash_of(world, "alice") is None
