"""``passerelle peer``: registering, showing, linking and removing peers, with one-line
errors for bad input; the outgoing token is never stored, printed nor logged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from passerelle.objects.ingest import ingest
from passerelle.policy import directory
from passerelle.policy.roles import Role
from passerelle.stix.markings import TLP2_IDS, Tlp
from passerelle.store.federation_tables import federation_outbox, peer_links, peers
from tests.cli_runner import Run
from tests.stixgen import indicator
from tests.world import World

TOKEN = "s3cret-token-of-our-node-account"


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    path = tmp_path / "peer.token"
    path.write_text(TOKEN + "\n")
    return path


def _add(run: Run, token_file: Path, *extra: str, name: str = "north") -> str:
    result = run(
        "peer", "add", name, "--url", "https://north.example:8443/taxii2/root",
        "--org", "fsb", "--speaks-for", "dgsi", "--token-file", str(token_file), *extra,
    )  # fmt: skip
    return str(result.output)


def test_a_peer_is_registered_without_its_token(
    run: Run, world: World, token_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert "peer 'north' added" in _add(run, token_file)
    listed = json.loads(run("peer", "list", "--json").output)
    assert listed == [
        {
            "name": "north",
            "url": "https://north.example:8443/taxii2/root/",
            "org": "fsb",
            "speaks_for": "dgsi",
        }
    ]
    linked = run("peer", "link", "north", "--channel", "fr-ru", "--remote-collection", "c-1",
                 "--push")  # fmt: skip
    assert linked.exit_code == 0, linked.output
    shown_json = json.loads(run("peer", "show", "north", "--json").output)
    assert shown_json["links"] == [
        {"channel": "fr-ru", "remote_collection": "c-1", "push": "yes", "pull": "no"}
    ]
    shown = run("peer", "show", "north").output
    assert str(token_file) in shown
    assert "c-1" in shown
    assert "fr-ru" in shown
    status = run("peer", "status").output
    outputs = [listed, shown, status, linked.output, caplog.text]
    assert all(TOKEN not in str(text) for text in outputs)
    with world.database.read() as conn:
        stored = [str(v) for row in conn.execute(select(peers)) for v in row]
    assert not any(TOKEN in value for value in stored)
    assert run("peer", "remove", "north").exit_code == 0
    assert run("peer", "list").output.strip() == "(none)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "ftp://x/"], "bad URL 'ftp://x/'"),
        (["--url", "https://x/root?a=1"], "no query or fragment"),
        (["--org", "nobody"], "no organisation named 'nobody'"),
        (["--speaks-for", "nobody"], "no organisation named 'nobody'"),
        (["--token-file", "/nonexistent/token"], "cannot read token file '/nonexistent/token'"),
        (["--ca-file", "/nonexistent/ca.pem"], "cannot read CA file '/nonexistent/ca.pem'"),
        (["--author", "indicator--1"], "bad --author 'indicator--1': give a STIX identity id"),
    ],
)
def test_bad_input_answers_one_line(
    run: Run, world: World, token_file: Path, args: list[str], message: str
) -> None:
    base = {
        "--url": "https://north.example/taxii2/root/",
        "--org": "fsb",
        "--speaks-for": "dgsi",
        "--token-file": str(token_file),
    }
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = run("peer", "add", "north", *[x for pair in base.items() for x in pair])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_an_empty_token_file_is_refused(run: Run, world: World, tmp_path: Path) -> None:
    empty = tmp_path / "empty.token"
    empty.write_text("\n")
    assert f"token file '{empty}' is empty" in _add(run, empty)


def test_basic_credentials_stay_out_of_the_url_and_need_a_user(
    run: Run, world: World, tmp_path: Path
) -> None:
    secret = "pa55-in-the-url"
    no_user = tmp_path / "password-only"
    no_user.write_text("just-a-token\n")
    in_url = run(
        "peer", "add", "north", "--url", f"https://atlas:{secret}@north.example/api1/",
        "--org", "fsb", "--speaks-for", "dgsi", "--token-file", str(no_user),
    )  # fmt: skip
    assert in_url.exit_code != 0
    assert "no user or password in it (put USER:PASSWORD in the --token-file" in in_url.output
    assert secret not in in_url.output
    refused = _add(run, no_user, "--auth", "basic")
    assert f"token file '{no_user}' holds no USER:PASSWORD (--auth basic)" in refused
    assert "just-a-token" not in refused
    assert "--auth" in run("peer", "add", "--help").output
    with world.database.read() as conn:
        assert conn.execute(select(peers)).all() == []


def test_unknown_peer_channel_and_duplicates_answer_one_line(
    run: Run, world: World, token_file: Path
) -> None:
    _add(run, token_file)
    assert "peer 'NORTH' already exists" in _add(run, token_file, name="NORTH")
    link = ("--remote-collection", "c-1", "--push")
    assert "no peer named 'south'" in run("peer", "link", "south", "--channel", "fr-ru",
                                          *link).output  # fmt: skip
    assert "no channel 'nowhere'" in run("peer", "link", "north", "--channel", "nowhere",
                                         *link).output  # fmt: skip
    either = run("peer", "link", "north", "--channel", "fr-ru", "--remote-collection", "c-1")
    assert "say which way: --push, --pull or both" in either.output
    assert "no peer named 'south'" in run("peer", "show", "south").output
    assert "no peer named 'south'" in run("sync", "--peer", "south", "--once").output


def test_an_unreachable_peer_is_one_line_and_recorded(
    run: Run, world: World, token_file: Path
) -> None:
    result = run(
        "peer", "add", "closed", "--url", "http://127.0.0.1:9/taxii2/root/", "--org", "fsb",
        "--speaks-for", "dgsi", "--token-file", str(token_file),
    )  # fmt: skip
    assert result.exit_code == 0
    run("peer", "link", "closed", "--channel", "fr-ru", "--remote-collection", "c", "--push")
    assert run("sync", "--once").exit_code == 0  # nothing queued: nothing to send
    queued = ingest(world.database, world.hooks, world.viewer("alice"), world.channels["fr-ru"],
                    [indicator(1, object_marking_refs=[TLP2_IDS[Tlp.GREEN]])])  # fmt: skip
    assert not queued.failures
    failed = run("sync", "--once")
    assert failed.exit_code == 1
    assert (
        failed.output.strip()
        .splitlines()[-1]
        .startswith(
            "Error: peer 'closed': http://127.0.0.1:9/taxii2/root/collections/c/objects/: Connect"
        )
    )
    assert TOKEN not in failed.output
    status = json.loads(run("peer", "status", "closed", "--json").output)[0]
    assert status["pending"] == 1
    assert "ConnectError" in status["last_error"]


def _queued(output: str) -> int:
    [line] = [x for x in output.splitlines() if "already held queued" in x]
    return int(line.split()[0])


def test_a_link_queues_the_backlog_once_and_never_back_to_the_peers_organisation(
    run: Run, world: World, token_file: Path
) -> None:
    with world.database.write() as conn:
        directory.add_user(conn, "fsb", "fsb-node", Role.NODE)
    ours, theirs = indicator(1), indicator(2)
    for user, item in (("alice", ours), ("fsb-node", theirs)):
        stored = ingest(world.database, world.hooks, world.viewer(user), world.channels["fr-ru"],
                        [item])  # fmt: skip
        assert not stored.failures
    _add(run, token_file)  # north: fsb's node
    _add(run, token_file, name="west")
    with world.database.write() as conn:  # west: cert's node (it never read fr-ru)
        cert = directory.find_organisation(conn, "cert").id
        conn.execute(peers.update().where(peers.c.name == "west").values(org_id=cert))
    link = ("--channel", "fr-ru", "--remote-collection", "c-1", "--push")
    assert _queued(run("peer", "link", "north", *link).output) == 1  # not fsb's own
    assert _queued(run("peer", "link", "north", *link).output) == 0
    assert _queued(run("peer", "link", "west", *link).output) == 2
    assert _queued(run("peer", "link", "west", *link).output) == 0
    with world.database.read() as conn:
        queued = conn.execute(
            select(peers.c.name, federation_outbox.c.stix_id)
            .join(peer_links, peer_links.c.id == federation_outbox.c.link_id)
            .join(peers, peers.c.id == peer_links.c.peer_id)
        ).all()
    assert sorted(queued) == sorted(
        [("north", ours["id"]), ("west", ours["id"]), ("west", theirs["id"])]
    )
    pulled_only = run("peer", "link", "north", "--channel", "fr-ru", "--remote-collection",
                      "c-2", "--pull").output  # fmt: skip
    assert "already held queued" not in pulled_only
