"""The calls into ``misp-stix`` (the MISP project's converter), and nothing else.

misp-stix is imported here only, when a conversion is asked for: its import pulls in the
STIX 1 libraries, whose import warns (``ImportWarning`` from an old ``six``), and it logs
its own findings. Both are gathered as notes for the person converting, never printed as
a library's raw output; whatever the converter says it could not map is in the notes.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

import orjson

from passerelle.errors import BadInput

# The loggers of misp-stix and of PyMISP, which it builds MISP events with.
_LOGGERS: Final = ("misp_stix_converter", "pymisp")


class _Notes(logging.Handler):
    def __init__(self, notes: list[str]) -> None:
        super().__init__(logging.INFO)
        self.notes = notes

    def emit(self, record: logging.LogRecord) -> None:
        self.notes.append("misp-stix: " + " ".join(record.getMessage().split()))


@contextmanager
def _quietly(notes: list[str]) -> Iterator[None]:
    """Gather what the converter logs or warns into ``notes``."""
    loggers = [logging.getLogger(name) for name in _LOGGERS]
    handler = _Notes(notes)
    saved = [logger.propagate for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        notes += [
            f"misp-stix: {w.message}" for w in caught if not issubclass(w.category, ImportWarning)
        ]
    finally:
        for logger, propagate in zip(loggers, saved, strict=True):
            logger.removeHandler(handler)
            logger.propagate = propagate


def _loaded() -> Any:
    """Import misp-stix once, and undo what its dependencies do to every later import.

    mixbox (under misp-stix's STIX 1 support) vendors six 1.15, which appends to
    ``sys.meta_path`` an importer without ``find_spec``: from then on every import that
    fails (an optional dependency tried) warns on Python 3.11+. mixbox reaches six's moves
    as attributes, never by import statements, so that importer is taken out again.
    """
    import misp_stix_converter

    sys.meta_path[:] = [
        finder
        for finder in sys.meta_path
        if type(finder).__name__ != "_SixMetaPathImporter" or hasattr(finder, "find_spec")
    ]
    return misp_stix_converter


def _findings(parser: Any) -> list[str]:
    """Return the errors and warnings a misp-stix parser recorded, one line each."""
    found: list[str] = []
    for name in ("errors", "warnings"):
        recorded = getattr(parser, name, None) or {}
        for messages in recorded.values():
            found += ["misp-stix: " + " ".join(str(m).split()) for m in messages]
    return found


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def misp_event_to_stix21(event: dict[str, Any], notes: list[str]) -> list[dict[str, Any]]:
    """Convert one MISP event (``{"Event": ...}``) with misp-stix's MISPtoSTIX21Parser."""
    with _quietly(notes):
        parser = _loaded().MISPtoSTIX21Parser()
        try:
            parser.parse_json_content(event)
            serialised = parser.bundle.serialize()
        except Exception as exc:  # the converter raises anything; say it in one line
            raise BadInput(f"misp-stix could not convert the event: {_first_line(exc)}") from exc
    notes += _findings(parser)
    objects: list[dict[str, Any]] = orjson.loads(serialised).get("objects", [])
    return objects


def stix21_to_misp_event(
    objects: list[dict[str, Any]], title: str, distribution: int, notes: list[str]
) -> dict[str, Any]:
    """Convert STIX 2.1 objects to one MISP event with misp-stix.

    Content that misp-stix recognises as its own export (MISP's labels, ``x-misp-*``
    objects) goes through its internal parser, which restores MISP attributes and objects
    exactly; anything else through its external STIX 2.1 parser. That is the choice its
    own command line makes, except that one ``x-misp-*`` object is enough here (the
    report that carries MISP's labels may be one the viewer cannot see).
    """
    bundle_document = {"type": "bundle", "id": "bundle--" + _bundle_uuid(), "objects": objects}
    with _quietly(notes):
        converter = _loaded()
        from misp_stix_converter.tools.stix2_loading_helpers import load_stix2_content
        from misp_stix_converter.tools.stix2_to_misp_helpers import is_stix2_from_misp

        try:
            bundle = load_stix2_content(bundle_document)
            internal = is_stix2_from_misp(objects) or any(
                str(o.get("type", "")).startswith("x-misp-") for o in objects
            )
            parser = (
                converter.InternalSTIX2toMISPParser()
                if internal
                else converter.ExternalSTIX2toMISPParser()
            )
            parser.load_stix_bundle(bundle)
            parser.parse_stix_bundle(
                distribution=distribution,
                single_event=True,
                title=title,
                producer=None,
                force_contextual_data=False,
                galaxies_as_tags=False,
                sharing_group_id=None,
            )
            event: dict[str, Any] = orjson.loads(parser.misp_event.to_json())
        except Exception as exc:  # the converter raises anything; say it in one line
            raise BadInput(f"misp-stix could not convert the bundle: {_first_line(exc)}") from exc
    notes += _findings(parser)
    return event


def _bundle_uuid() -> str:
    import uuid

    return str(uuid.uuid4())
