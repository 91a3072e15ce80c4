"""What arrives to be stored: each object validated, its handling read, its version keyed,
and the verdict the writer gets back for it."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from passerelle.stix.invalid import InvalidObject
from passerelle.stix.markings import Handling, InvalidHandling, read_handling
from passerelle.stix.timestamps import version_key


@dataclass(frozen=True)
class Verdict:
    """What happened to one object of an envelope."""

    id: str
    version: str
    message: str = ""

    def as_status_entry(self) -> dict[str, str]:
        """Render as a TAXII status-details entry."""
        entry = {"id": self.id, "version": self.version}
        if self.message:
            entry["message"] = self.message
        return entry


@dataclass
class IngestResult:
    """The outcome of one envelope: a status resource in all but name."""

    status_id: str
    request_timestamp: int
    total: int
    successes: list[Verdict] = field(default_factory=list)
    failures: list[Verdict] = field(default_factory=list)


# Properties whose targets a derived object is made of: a relationship's ends, a
# sighting's subject and evidence, a report's (or note's, opinion's...) contents.
_INPUT_REFS = ("source_ref", "target_ref", "sighting_of_ref")
_INPUT_REF_LISTS = ("observed_data_refs", "where_sighted_refs", "object_refs")
_INPUT_PROPERTIES = frozenset(_INPUT_REFS + _INPUT_REF_LISTS)
# A JSON escape of NUL: \u0000 after an even number of backslashes (an odd number means the
# text holds a backslash followed by "u0000").
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


@dataclass(slots=True)
class Candidate:
    """One valid object on its way into a channel."""

    stix_id: str
    # The key the version is stored under: normalised 'modified' (or 'created'; '' for an
    # SCO), marked as the writer's own copy where it does not own the object.
    version: str
    type: str
    spec_version: str
    revoked: bool
    body: str
    # 'modified' (else 'created') exactly as written: TAXII shows it as the version.
    shown_version: str
    handling: Handling
    inputs: tuple[str, ...]
    obj: dict[str, Any]

    @property
    def observable(self) -> bool:
        """Tell whether this is a cyber-observable (no 'created' timestamp)."""
        return "created" not in self.obj


def _inputs(obj: dict[str, Any]) -> tuple[str, ...]:
    if _INPUT_PROPERTIES.isdisjoint(obj):
        return ()
    found = [obj[name] for name in _INPUT_REFS if isinstance(obj.get(name), str)]
    for name in _INPUT_REF_LISTS:
        found += [ref for ref in obj.get(name) or () if isinstance(ref, str)]
    return tuple(dict.fromkeys(found))


def prepare(
    obj: object,
    recipients: Sequence[str] = (),
    validate: Callable[[object], None] | None = None,
) -> Candidate:
    """Validate an object and read its handling; raise InvalidObject with the reason.

    ``validate`` is STIX validation (:func:`passerelle.stix.validation.validate_object`,
    imported here when not given: a batch passes it once for all its objects)."""
    if validate is None:
        from passerelle.stix.validation import validate_object

        validate = validate_object
    validate(obj)
    assert isinstance(obj, dict)
    try:
        handling = read_handling(obj, recipients)
    except InvalidHandling as exc:
        raise InvalidObject(f"{obj['id']}: {exc}") from exc
    stamp = obj.get("modified") or obj.get("created")
    version = version_key(stamp) if isinstance(stamp, str) else ""
    body = orjson.dumps(obj, option=orjson.OPT_SORT_KEYS).decode()
    if "\\u0000" in body and _NUL_ESCAPE.search(body):
        # PostgreSQL text holds no NUL character, and no STIX value needs one.
        raise InvalidObject(f"{obj['id']}: a string holds a NUL character (\\u0000)")
    return Candidate(
        stix_id=obj["id"],
        version=version,
        type=obj["type"],
        spec_version=obj.get("spec_version", "2.1"),
        revoked=bool(obj.get("revoked", False)),
        body=body,
        shown_version=stamp if isinstance(stamp, str) else "",
        handling=handling,
        inputs=_inputs(obj),
        obj=obj,
    )


def prepare_all(
    items: Sequence[object], recipients: Sequence[str], result: IngestResult
) -> list[Candidate]:
    """Prepare each object; the invalid ones become failures of the result."""
    # The STIX rules load with the first write, never in a command that only reads.
    from passerelle.stix.validation import validate_object

    prepared: list[Candidate] = []
    for obj in items:
        try:
            prepared.append(prepare(obj, recipients, validate_object))
        except InvalidObject as exc:
            ident, shown = _describe(obj)
            result.failures.append(Verdict(ident, shown, exc.reason))
    return prepared


def _describe(obj: object) -> tuple[str, str]:
    if isinstance(obj, dict):
        ident, stamp = obj.get("id"), obj.get("modified") or obj.get("created")
        return (ident if isinstance(ident, str) else "", stamp if isinstance(stamp, str) else "")
    return ("", "")
