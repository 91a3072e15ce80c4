"""``passerelle import|export``: STIX bundles in and out of a channel, as a user."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Any

import click
import orjson

from passerelle.cli.root import Node, cli, json_option, pass_node, stderr_progress, user_option
from passerelle.errors import BadInput
from passerelle.policy.actions import require_write
from passerelle.policy.visibility import channel_for, require_read
from passerelle.store.ingest import Verdict, ingest
from passerelle.store.queries import ObjectFilter, entries_page

BATCH = 1000


def _read_objects(path: str) -> list[Any]:
    raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadInput(f"{path} is not valid JSON: {exc}") from exc
    if isinstance(document, dict) and isinstance(document.get("objects"), list):
        return list(document["objects"])
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and "type" in document:
        return [document]
    raise BadInput(f"{path} holds no STIX objects: expected a bundle, an envelope or a list")


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--channel", "channel_ref", required=True, help="Channel title, alias or id.")
@user_option
@json_option
@pass_node
def import_bundle(
    node: Node, file: str, channel_ref: str, username: str | None, as_json: bool
) -> None:
    """Import the STIX objects of FILE (a bundle; - for stdin) into a channel."""
    viewer = node.viewer(username)
    objects = _read_objects(file)
    with node.database.read() as conn:
        target = channel_for(conn, viewer, channel_ref)
        require_write(conn, viewer, target)
    accepted: list[Verdict] = []
    rejected: list[Verdict] = []
    with stderr_progress(len(objects), f"importing into {target.title}") as bar:
        for start in range(0, len(objects), BATCH):
            batch = objects[start : start + BATCH]
            result = ingest(node.database, viewer, target, batch)
            accepted += result.successes
            rejected += result.failures
            bar.update(len(batch))
    if as_json:
        summary = {
            "channel": target.title,
            "accepted": len(accepted),
            "rejected": [v.as_status_entry() for v in rejected],
        }
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        for verdict in rejected:
            click.echo(f"rejected {verdict.id or '(no id)'}: {verdict.message}", err=True)
        click.echo(f"{len(accepted)} accepted, {len(rejected)} rejected into {target.title!r}")
    if rejected and not accepted:
        sys.exit(1)


@cli.command("export")
@click.option("--channel", "channel_ref", required=True, help="Channel title, alias or id.")
@click.option("--all-versions", is_flag=True, help="Every version, not only the latest.")
@user_option
@pass_node
def export_bundle(node: Node, channel_ref: str, all_versions: bool, username: str | None) -> None:
    """Print the channel's objects that you may see as a STIX bundle on stdout."""
    viewer = node.viewer(username)
    flt = ObjectFilter(versions=("all",) if all_versions else ("last",))
    out = sys.stdout
    out.write(f'{{"type":"bundle","id":"bundle--{uuid.uuid4()}","objects":[')
    with node.database.read() as conn:
        target = channel_for(conn, viewer, channel_ref)
        require_read(conn, viewer, target)
        cursor, first = 0, True
        while True:
            page = entries_page(conn, viewer, target, flt, BATCH, cursor)
            for entry in page.entries:
                out.write(("" if first else ",") + "\n" + entry.body)
                first = False
            if not page.more:
                break
            cursor = page.entries[-1].seq
    out.write("\n]}\n")
