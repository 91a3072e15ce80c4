"""The page language: French or English, from the browser unless the user chose.

Catalogues are the ``.po`` files under ``locales/``, compiled in memory when the node
starts (Babel): no build step, and no compiled file that could drift from its source.
"""

from __future__ import annotations

import functools
import io
from datetime import UTC, datetime, tzinfo
from importlib import resources
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, PackageLoader, pass_context, select_autoescape

from passerelle.stix.timestamps import micros_to_text

LANGUAGES: Final = ("en", "fr")
DEFAULT: Final = "en"
LANGUAGE_COOKIE: Final = "passerelle_lang"
ZONE_COOKIE: Final = "passerelle_tz"
UTC_ZONE: Final = "UTC"


def chosen_language(cookie: str | None, accept_language: str | None) -> str:
    """Return the user's choice if they made one, else the browser's first language we
    speak (Accept-Language, by weight), else English."""
    if cookie in LANGUAGES:
        return cookie
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        weighted.append((-weight, position, tag.strip().lower()[:2]))
    for negative, _position, primary in sorted(weighted):
        if negative < 0 and primary in LANGUAGES:
            return primary
    return DEFAULT


def translations(language: str) -> NullTranslations:
    """Return the catalogue of a language, compiled from its .po file (English is the
    language of the templates themselves)."""
    if language == DEFAULT:
        return NullTranslations()
    source = resources.files("passerelle.web") / "locales" / language / "LC_MESSAGES"
    with (source / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


@functools.cache
def environment(language: str) -> Environment:
    """Return the template environment of a language (one per language, built once)."""
    env = Environment(
        loader=PackageLoader("passerelle.web", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["when"] = pass_context(
        lambda ctx, stamp: moment(stamp, language, ctx.get("zone", UTC_ZONE))
    )
    env.filters["when_added"] = pass_context(
        lambda ctx, micros: moment(micros_to_text(micros), language, ctx.get("zone", UTC_ZONE))
    )
    return env


def moment(stamp: str | None, language: str, zone: str = UTC_ZONE) -> str:
    """Format a STIX timestamp for people, in the page's language and the user's time
    zone (UTC unless the browser told its own)."""
    if not stamp:
        return ""
    try:
        at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    where = time_zone(zone)
    shown = format_datetime(at, "d MMM y HH:mm", tzinfo=where, locale=language)
    return f"{shown} {at.astimezone(where).tzname() or zone}"


def time_zone(name: str | None) -> tzinfo:
    """Return a time zone by its IANA name; UTC for a missing or unknown one."""
    if not name or name == UTC_ZONE or len(name) > 64:
        return UTC
    try:
        return ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        return UTC
