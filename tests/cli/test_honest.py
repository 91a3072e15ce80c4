"""An honest command line: every failure is one plain line and a non-zero exit, never a
traceback, an errno, a library's message, or a silent success."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from passerelle.cli import cli
from tests.cli_runner import Run
from tests.live_server import HOST
from tests.world import World


def _one_line_error(result: Result, *expected: str) -> None:
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    assert "Errno" not in result.output
    for text in expected:
        assert text in lines[0], lines[0]


def _invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env={"PASSERELLE_USER": "", **(env or {})})


def test_a_mistyped_database_is_refused_not_created(tmp_path: Path) -> None:
    path = tmp_path / "pasarelle.db"
    _one_line_error(_invoke("--db", f"sqlite:///{path}", "org", "list"), "no database at")
    assert not path.exists()
    assert _invoke("--db", f"sqlite:///{path}", "init").exit_code == 0
    assert _invoke("--db", f"sqlite:///{path}", "org", "list").exit_code == 0


def test_bad_ports_and_ports_in_use_are_one_line(database_url: str) -> None:
    bad = _invoke("--db", database_url, "serve", "--port", "99999")
    assert bad.exit_code == 2
    assert "99999 is not in the range" in bad.stderr
    assert "Traceback" not in bad.output
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        for command in ("serve", "quickstart"):
            busy = _invoke("--db", database_url, command, "--port", port)
            _one_line_error(busy, f"port {port} on {HOST} is in use")
            assert "http://" not in busy.output  # nothing printed before failing


def test_a_closed_pipe_ends_quietly(database_url: str, tmp_path: Path) -> None:
    """``passerelle ... | head`` must not print "Broken pipe" when head stops reading."""
    reader, writer = os.pipe()
    os.close(reader)  # every write to the pipe now fails with EPIPE
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSERELLE_")}
    env["PASSERELLE_AUDIT_KEY_FILE"] = os.environ["PASSERELLE_AUDIT_KEY_FILE"]
    try:
        done = subprocess.run(
            [sys.executable, "-m", "passerelle", "--db", database_url, "org", "list"],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    finally:
        os.close(writer)
    assert done.returncode != 0
    assert "pipe" not in done.stderr.lower()
    assert "Traceback" not in done.stderr


def test_import_fails_in_plain_words(run: Run, world: World, tmp_path: Path) -> None:
    missing = run("import", str(tmp_path / "nothing.json"), "--channel", "fr-ru", user="alice")
    _one_line_error(missing, "nothing.json: No such file or directory")
    broken = tmp_path / "broken.json"
    broken.write_text('{"type": "bundle", "objects": [')
    garbled = run("import", str(broken), "--channel", "fr-ru", user="alice")
    _one_line_error(garbled, "is not valid JSON (line 1, column")
    assert "unexpected" not in garbled.output.lower()  # orjson's own words


def test_bad_birth_dates_are_refused(run: Run, world: World) -> None:
    for bad in ("22/07/1993", "1993-13", "1993-02-30", "93"):
        result = run("resolve", "Ruslan Daudov", "--born", bad, user="alice")
        _one_line_error(result, f"not a birth date: {bad!r}")
    for good in ("1993", "1993-07", "1993-07-22"):
        assert run("resolve", "Ruslan Daudov", "--born", good, user="alice").exit_code == 0


def test_bad_dates_and_durations_are_refused_everywhere(run: Run, world: World) -> None:
    until = run("watch", "add", "--name", "Ruslan Daudov", "--until", "22/07/2030", user="alice")
    _one_line_error(until, "not a date: '22/07/2030' (write it as YYYY-MM-DD)")
    within = run("rfi", "send", "--to", "fsb", "--purpose", "p", "--urgency", "normal",
                 "--within", "2 weeks", user="alice")  # fmt: skip
    _one_line_error(within, "not a duration: '2 weeks'")
    published = run("intake", "-", "--published", "22/07/2030", user="alice", stdin="x")
    assert published.exit_code == 2
    assert "'22/07/2030' does not match the format '%Y-%m-%d'" in published.stderr


def test_bad_node_addresses_are_plain(world: World) -> None:
    env = {"PASSERELLE_TOKEN": world.tokens["alice"]}
    _one_line_error(_invoke("tips", "inbox", "--url", "nowhere", env=env), "not a node address")
    with socket.socket() as closed:
        closed.bind((HOST, 0))
        url = f"http://{HOST}:{closed.getsockname()[1]}"
    refused = _invoke("tips", "inbox", "--url", url, env=env)
    _one_line_error(refused, f"cannot reach {url}: Connection refused")


def test_the_token_must_be_the_named_users(world: World, live_url: str) -> None:
    env = {"PASSERELLE_TOKEN": world.tokens["alice"]}
    other = _invoke("tips", "inbox", "--json", "--url", live_url, "--user", "boris", env=env)
    _one_line_error(other, "this token is not 'boris''s")
    mine = _invoke("tips", "inbox", "--json", "--url", live_url, "--user", "ALICE", env=env)
    assert mine.exit_code == 0, mine.output
    assert json.loads(mine.stdout)["tips"] == []
