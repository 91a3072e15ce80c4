"""The command line, as a user types it (in-process through click's runner)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.testing import CliRunner

from passerelle.cli import cli
from passerelle.policy import directory
from passerelle.policy.roles import Role
from passerelle.policy.visibility import object_visible_anywhere
from passerelle.stix.markings import TLP2_IDS, Tlp
from tests.stixgen import bundle, indicator
from tests.world import World


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += all_commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


def test_every_command_has_help(run) -> None:  # type: ignore[no-untyped-def]
    for path in all_commands(cli):
        result = run(*path, "--help")
        assert result.exit_code == 0, path
        assert "Usage:" in result.output
        command = cli
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        assert command.help, f"{' '.join(path)} has no help text"


def test_register_organisations_users_and_channels(run) -> None:  # type: ignore[no-untyped-def]
    assert run("org", "add", "DGSI").exit_code == 0
    assert run("org", "add", "FSB").exit_code == 0
    added = run("user", "add", "DGSI", "alice", "--role", "liaison")
    assert added.exit_code == 0
    token = added.stdout.strip().splitlines()[0]
    assert token.startswith("psl_")
    created = run(
        "channel", "add", "fr-ru", "--member", "DGSI:rw", "--member", "FSB:r", "--alias", "bi"
    )
    assert created.exit_code == 0
    listed = json.loads(run("channel", "list", "--json").stdout)
    assert listed[0]["title"] == "fr-ru"
    assert listed[0]["members"] == "DGSI:rw, FSB:r"
    users = json.loads(run("user", "list", "--json").stdout)
    assert users == [{"username": "alice", "organisation": "DGSI", "role": "liaison"}]
    assert "DGSI" in run("org", "list").stdout


def test_errors_are_one_line_and_non_zero(run) -> None:  # type: ignore[no-untyped-def]
    run("org", "add", "DGSI")
    twice = run("org", "add", "DGSI")
    assert twice.exit_code == 1
    assert twice.output.strip() == "Error: organisation 'DGSI' already exists"
    nobody = run("user", "add", "NOPE", "bob")
    assert nobody.exit_code == 1
    assert "no organisation named 'NOPE'" in nobody.output
    bad_member = run("channel", "add", "x", "--member", "DGSI")
    assert bad_member.exit_code == 1
    assert "ORG:rw" in bad_member.output
    assert "Traceback" not in twice.output + nobody.output + bad_member.output


def test_import_then_export_round_trip(run, world: World, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sent = [indicator(i) for i in range(5)]
    broken = indicator(9, pattern="[not a pattern")
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle(*sent, broken)))
    result = run("import", str(path), "--channel", "fr-ru", user="alice")
    # Anything rejected makes the import fail, saying how many; the others are stored.
    assert result.exit_code == 1
    assert "5 accepted, 1 rejected" in result.stdout
    assert broken["id"] in result.stderr
    assert "1 of 6 objects rejected (5 stored)" in result.stderr
    exported = json.loads(run("export", "--channel", "fr-ru", user="boris").stdout)
    assert exported["type"] == "bundle"
    assert sorted(o["id"] for o in exported["objects"]) == sorted(o["id"] for o in sent)


def test_import_json_summary(run, world: World, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle(indicator(1))))
    summary = json.loads(
        run("import", str(path), "--channel", "fr-ru", "--json", user="alice").stdout
    )
    assert summary == {"channel": "fr-ru", "accepted": 1, "rejected": []}


def test_import_checks_the_users_rights(run, world: World, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle(indicator(1))))
    reader = run("import", str(path), "--channel", "community", user="carla")
    assert reader.exit_code == 1
    assert "may not write" in reader.output
    stranger = run("import", str(path), "--channel", "fr-ru", user="oscar")
    assert stranger.exit_code == 1
    assert "no channel 'fr-ru'" in stranger.output


def test_export_shows_only_what_the_user_may_read(run, world: World, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle(indicator(1))))
    run("import", str(path), "--channel", "dropbox", user="carla")
    refused = run("export", "--channel", "dropbox", user="alice")
    assert refused.exit_code == 1
    assert "may not read" in refused.output
    hidden = run("export", "--channel", "fr-ru", user="oscar")
    assert hidden.exit_code == 1
    assert "no channel" in hidden.output


def test_commands_acting_for_someone_need_a_user(run, world: World) -> None:  # type: ignore[no-untyped-def]
    result = run("export", "--channel", "fr-ru")
    assert result.exit_code == 1
    assert "--user" in result.output


def test_import_of_a_file_that_is_not_json(run, world: World, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "junk.json"
    path.write_text("not json at all")
    result = run("import", str(path), "--channel", "fr-ru", user="alice")
    assert result.exit_code == 1
    assert "not valid JSON" in result.output


def test_quickstart_without_serving_prints_a_working_token(run) -> None:  # type: ignore[no-untyped-def]
    result = run("quickstart", "--no-serve")
    assert result.exit_code == 0
    token = next(
        line.split(": ", 1)[1] for line in result.stdout.splitlines() if line.startswith("token: ")
    )
    assert token.startswith("psl_")
    again = run("quickstart", "--no-serve")
    assert again.exit_code == 0
    assert token not in again.stdout


def test_a_bad_database_url_is_one_line(run) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["--db", "mysql://x/y", "org", "list"])
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: unsupported database")


def test_import_names_the_recipients_of_red_objects(  # type: ignore[no-untyped-def]
    run, world: World, tmp_path: Path
) -> None:
    with world.database.write() as conn:
        directory.add_user(conn, "fsb", "bogdan", Role.ANALYST)
    red = indicator(1, object_marking_refs=[TLP2_IDS[Tlp.RED]])
    path = tmp_path / "red.json"
    path.write_text(json.dumps(bundle(red)))
    unnamed = run("import", str(path), "--channel", "fr-ru", user="alice")
    assert "0 accepted, 1 rejected" in unnamed.stdout
    assert "must name its recipients" in unnamed.stderr
    misspelt = run("import", str(path), "--channel", "fr-ru", "--recipient", "borris", user="alice")
    assert misspelt.exit_code == 1
    assert "no user named 'borris'" in misspelt.output
    named = run("import", str(path), "--channel", "fr-ru", "--recipient", "boris", user="alice")
    assert "1 accepted, 0 rejected" in named.stdout
    seen = json.loads(run("export", "--channel", "fr-ru", user="boris").stdout)["objects"]
    assert seen == []  # RED never leaves in a bulk export, even for its recipient
    with world.database.read() as conn:
        boris = directory.viewer_by_name(conn, "boris")
        bogdan = directory.viewer_by_name(conn, "bogdan")
        assert object_visible_anywhere(conn, boris, red["id"])
        assert not object_visible_anywhere(conn, bogdan, red["id"])
