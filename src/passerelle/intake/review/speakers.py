"""Correcting who said a quotation: the speaker is the draft's entity of that name, or a new
entity element made for it, and every reference of the quotation follows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Final

import orjson

from passerelle.errors import BadInput
from passerelle.intake.model import LABEL_TYPES
from passerelle.keys.names import MAX_NAME
from passerelle.stix.validation import InvalidObject, validate_object

#: The speaker kind of a quotation by the label of its speaker's entity.
SPEAKER_KINDS: Final = {"person": "person", "organization": "organization", "group": "organization"}
#: What a new speaker is when the reviewer does not say.
DEFAULT_LABEL: Final = "person"
# Properties a new speaker's object takes from the quotation (its handling, its times).
_INHERITED: Final = ("spec_version", "created", "modified", "object_marking_refs", "extensions")


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _label_of(body: dict[str, Any]) -> str:
    label = body.get("x_passerelle_label")
    if isinstance(label, str):
        return label
    if body.get("type") == "identity":
        return "person" if body.get("identity_class") == "individual" else "organization"
    return "group" if body.get("type") in ("intrusion-set", "threat-actor") else str(body["type"])


def respoken(
    quotation: dict[str, Any],
    rows: Sequence[Any],
    originals: dict[str, dict[str, Any]],
    name: str,
    label: str | None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Return the quotation said by ``name`` (a ``label``, if given), and the entity object
    to add to the draft when none of its entities has that name (else None).

    The quotation's ``x_passerelle_speaker_ref`` and ``object_refs`` point to the speaker's
    element (by its id in the draft, which publishing maps to the published one) instead of
    the old speaker's, and its ``x_passerelle_speaker_kind`` follows the speaker's label.
    """
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise BadInput(f"give a name of 1 to {MAX_NAME} characters")
    found = []
    for row in rows:
        if row.kind != "entity":
            continue
        body = orjson.loads(row.corrected_body) if row.corrected_body else originals[row.stix_id]
        if _key(str(body.get("name", ""))) == _key(name) and label in (None, _label_of(body)):
            found.append((row, _label_of(body)))
    if len(found) > 1:
        raise BadInput(
            f"the draft names {len(found)} entities {name!r}: give the speaker's label too"
        )
    added = None
    if found:
        row, speaker_label = found[0]
        if row.state == "rejected":
            raise BadInput(
                f"{name!r} (element {row.position}) was rejected: accept it before making it "
                "the speaker"
            )
        speaker_id = str(row.stix_id)
    else:
        speaker_label = label or DEFAULT_LABEL
        added = _new_speaker(quotation, name, speaker_label)
        speaker_id = added["id"]
    if speaker_label not in SPEAKER_KINDS:
        raise BadInput(
            f"{name!r} is a {speaker_label}: a speaker is a person, an organization or a group"
        )
    old = quotation.get("x_passerelle_speaker_ref")
    refs = [r for r in quotation.get("object_refs", []) if r not in (old, speaker_id)]
    fixed = {
        **quotation,
        "x_passerelle_speaker": name,
        "x_passerelle_speaker_kind": SPEAKER_KINDS[speaker_label],
        "x_passerelle_speaker_ref": speaker_id,
        "object_refs": [*refs, speaker_id],
    }
    try:
        validate_object(fixed)
    except InvalidObject as exc:
        raise BadInput(f"the corrected object is not valid STIX 2.1: {exc.reason}") from exc
    return fixed, added


def _new_speaker(quotation: dict[str, Any], name: str, label: str) -> dict[str, Any]:
    """Return a new entity object for a speaker the draft does not name, marked and dated as
    the quotation is."""
    if label not in SPEAKER_KINDS:
        raise BadInput(f"a speaker is a person, an organization or a group, not a {label}")
    stix_type = LABEL_TYPES[label]
    obj: dict[str, Any] = {k: quotation[k] for k in _INHERITED if k in quotation}
    obj.update(type=stix_type, id=f"{stix_type}--{uuid.uuid4()}", name=name)
    obj["x_passerelle_label"] = label
    obj["x_passerelle_added"] = True  # made in review: carried over by an update
    if stix_type == "identity":
        obj["identity_class"] = "individual" if label == "person" else "organization"
    try:
        validate_object(obj)
    except InvalidObject as exc:  # pragma: no cover - made valid above
        raise BadInput(f"the new speaker is not valid STIX 2.1: {exc.reason}") from exc
    return obj


def heard_from(quotation: dict[str, Any], speaker: dict[str, Any]) -> dict[str, Any]:
    """Return a quotation as published when its speaker's element was corrected: the
    speaker's name, and (a person's or organization's quotation) its kind, follow."""
    fixed = {**quotation}
    if speaker.get("name"):
        fixed["x_passerelle_speaker"] = speaker["name"]
    kind = SPEAKER_KINDS.get(_label_of(speaker))
    if kind and quotation.get("x_passerelle_speaker_kind") in SPEAKER_KINDS.values():
        fixed["x_passerelle_speaker_kind"] = kind
    return fixed
