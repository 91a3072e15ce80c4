"""Handling rules as carried by STIX objects: TLP 2.0, PAP and Passerelle's extension.

- TLP 2.0: the OASIS marking definitions of the TLP 2.0 extension (their fixed ids);
  the four TLP 1.0 ids of STIX 2.1 section 7.2.1.4 are accepted and mapped (white to
  CLEAR). Several TLP markings on one object: the most restrictive applies.
- PAP: the OASIS PAP marking definitions (extension-definition--f8d78575-...).
- Passerelle's handling extension (:data:`HANDLING_EXTENSION_ID`): handling codes
  H0-H3 with H3's text, source grading in its native scheme, RED recipients, and the
  producer's forwarding grants (which organisation's node may forward the object to
  which organisation; docs/federation.md, "Forwarding to a third node").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, IntFlag
from typing import Any, Final

from passerelle.errors import BadInput

HANDLING_EXTENSION_ID = "extension-definition--fbebf196-9e99-49eb-9654-73e2364affb8"
# The property of the handling extension that holds structured feedback on a tip.
FEEDBACK: Final = "feedback"
# The property that carries the producer's forwarding grants: [{"by": ORG, "to": ORG}].
FORWARDING: Final = "forwarding_grants"


class InvalidHandling(BadInput, ValueError):
    """The object's markings or handling extension cannot be honoured: bad input, so every
    outer layer answers it in one line (HTTP 400, a command's error), never a 500."""


class Tlp(IntEnum):
    """TLP 2.0 levels, ordered from least to most restrictive."""

    CLEAR = 0
    GREEN = 1
    AMBER = 2
    AMBER_STRICT = 3
    RED = 4

    @property
    def label(self) -> str:
        """Return the level as FIRST writes it (``TLP:AMBER+STRICT``)."""
        return "TLP:" + self.name.replace("_", "+")

    @classmethod
    def parse(cls, text: str) -> Tlp:
        """Parse ``amber+strict``, ``TLP:AMBER+STRICT`` or ``white`` (TLP 1.0)."""
        name = text.strip().upper().removeprefix("TLP:").replace("+", "_")
        if name == "WHITE":
            return cls.CLEAR
        try:
            return cls[name]
        except KeyError as exc:
            raise InvalidHandling(f"unknown TLP level {text[:40]!r}") from exc


class Pap(IntEnum):
    """PAP levels, ordered from least to most restrictive."""

    CLEAR = 0
    GREEN = 1
    AMBER = 2
    RED = 3


class HandlingCode(IntFlag):
    """Handling codes: H0 purpose-limited, H1 not in court, H2 no onward sharing, H3 text."""

    NONE = 0
    H0 = 1
    H1 = 2
    H2 = 4
    H3 = 8


# STIX 2.1 section 7.2.1.4: the four predefined TLP 1.0 marking definitions.
TLP1_IDS: Final = {
    "white": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "green": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    "amber": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    "red": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}
TLP_MARKINGS: dict[str, Tlp] = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": Tlp.CLEAR,
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": Tlp.GREEN,
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": Tlp.AMBER,
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": Tlp.AMBER_STRICT,
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": Tlp.RED,
    TLP1_IDS["white"]: Tlp.CLEAR,
    TLP1_IDS["green"]: Tlp.GREEN,
    TLP1_IDS["amber"]: Tlp.AMBER,
    TLP1_IDS["red"]: Tlp.RED,
}
TLP2_IDS: dict[Tlp, str] = {tlp: ident for ident, tlp in list(TLP_MARKINGS.items())[:5]}

PAP_MARKINGS: dict[str, Pap] = {
    "marking-definition--ad15a0cd-55b6-4588-a14c-a66105329b92": Pap.CLEAR,
    "marking-definition--a3bea94c-b469-41dc-9cfe-d6e7daba7730": Pap.CLEAR,  # PAP:WHITE
    "marking-definition--c43594d1-4b11-4c59-93ab-1c9b14d53ce9": Pap.GREEN,
    "marking-definition--60f8932b-e51e-4458-b265-a2e8be9a80ab": Pap.AMBER,
    "marking-definition--740d36e5-7714-4c30-961a-3ae632ceee0e": Pap.RED,
}

GRADING_SCHEMES: dict[str, tuple[str, str]] = {
    # scheme: (reliability letters, credibility digits)
    "admiralty": ("ABCDEF", "123456"),
    "4x4": ("ABCX", "1234"),
}
OPEN_SOURCE = "open-source"


@dataclass(frozen=True)
class SourceGrading:
    """A source grading, kept in its native scheme and never converted."""

    scheme: str
    reliability: str = ""
    credibility: str = ""

    @classmethod
    def parse(cls, value: object) -> SourceGrading:
        """Read the ``source_grading`` property of the handling extension."""
        if not isinstance(value, dict) or not isinstance(value.get("scheme"), str):
            raise InvalidHandling("source_grading needs a 'scheme'")
        scheme = value["scheme"]
        if scheme == OPEN_SOURCE:
            return cls(scheme)
        if scheme not in GRADING_SCHEMES:
            raise InvalidHandling(
                f"source_grading scheme must be admiralty, 4x4 or open-source, not {scheme[:40]!r}"
            )
        letters, digits = GRADING_SCHEMES[scheme]
        reliability, credibility = value.get("reliability"), value.get("credibility")
        if not isinstance(reliability, str) or len(reliability) != 1 or reliability not in letters:
            raise InvalidHandling(f"{scheme} reliability must be one of {', '.join(letters)}")
        if not isinstance(credibility, str) or len(credibility) != 1 or credibility not in digits:
            raise InvalidHandling(f"{scheme} credibility must be one of {', '.join(digits)}")
        return cls(scheme, reliability, credibility)


@dataclass(frozen=True)
class Handling:
    """The handling rules one object carries (None where the object says nothing)."""

    tlp: Tlp | None = None
    pap: Pap | None = None
    codes: HandlingCode = HandlingCode.NONE
    h3_text: str = ""
    grading: SourceGrading | None = None
    recipients: tuple[str, ...] = ()
    statement_refs: tuple[str, ...] = ()
    # (by, to): the producer lets the node of organisation ``by`` forward it to ``to``.
    forwarding: tuple[tuple[str, str], ...] = ()


def _codes(value: object) -> HandlingCode:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidHandling("handling_codes must be a list such as ['H2', 'H3']")
    codes = HandlingCode.NONE
    for code in value:
        try:
            codes |= HandlingCode[code.upper()]
        except KeyError as exc:
            raise InvalidHandling(f"unknown handling code {code[:10]!r}: use H0-H3") from exc
    return codes


def _forwarding(value: object) -> tuple[tuple[str, str], ...]:
    """Read the producer's forwarding grants: a list of {"by": ORG, "to": ORG}."""
    if not isinstance(value, list):
        raise InvalidHandling(f"{FORWARDING} must be a list of {{'by': ORG, 'to': ORG}}")
    grants: list[tuple[str, str]] = []
    for entry in value:
        by = entry.get("by") if isinstance(entry, dict) else None
        to = entry.get("to") if isinstance(entry, dict) else None
        if not (isinstance(by, str) and by.strip() and isinstance(to, str) and to.strip()):
            raise InvalidHandling(f"each of {FORWARDING} needs 'by' and 'to' organisations")
        grants.append((by.strip(), to.strip()))
    return tuple(dict.fromkeys(grants))


def _extension(obj: dict[str, Any]) -> dict[str, Any] | None:
    extensions = obj.get("extensions")
    if not isinstance(extensions, dict):
        return None
    found = extensions.get(HANDLING_EXTENSION_ID)
    if found is not None and not isinstance(found, dict):
        raise InvalidHandling("the handling extension must be an object")
    return found


def carries_feedback(obj: Mapping[str, Any]) -> bool:
    """Tell whether an object is feedback on a tip (a Note, Opinion or Sighting we made)."""
    extensions = obj.get("extensions")
    if not isinstance(extensions, dict):
        return False
    handling = extensions.get(HANDLING_EXTENSION_ID)
    return isinstance(handling, dict) and FEEDBACK in handling


def read_handling(obj: dict[str, Any], extra_recipients: Sequence[str] = ()) -> Handling:
    """Read an object's handling rules; refuse what cannot be honoured.

    ``extra_recipients`` are RED recipients named by the person sharing the object (for
    example ``--recipient`` on the command line), added to those the object names.

    Marking references other than TLP and PAP are returned as ``statement_refs`` for the
    caller to check against the marking definitions the node knows.
    """
    if "object_marking_refs" not in obj and "extensions" not in obj:
        if "granular_markings" in obj:
            _refuse_stricter_parts(obj, None, None)
        return _UNMARKED  # most objects of a bulk feed: nothing to read
    tlp: Tlp | None = None
    pap: Pap | None = None
    others: list[str] = []
    for ref in obj.get("object_marking_refs") or ():
        if ref in TLP_MARKINGS:
            tlp = max(tlp, TLP_MARKINGS[ref]) if tlp is not None else TLP_MARKINGS[ref]
        elif ref in PAP_MARKINGS:
            pap = max(pap, PAP_MARKINGS[ref]) if pap is not None else PAP_MARKINGS[ref]
        else:
            others.append(ref)
    if "granular_markings" in obj:
        _refuse_stricter_parts(obj, tlp, pap)
    extension = _extension(obj) or {}
    codes = (
        _codes(extension["handling_codes"]) if "handling_codes" in extension else HandlingCode.NONE
    )
    h3_text = extension.get("h3_text", "")
    if not isinstance(h3_text, str):
        raise InvalidHandling("h3_text must be a string")
    if HandlingCode.H3 in codes and not h3_text.strip():
        raise InvalidHandling("handling code H3 needs its text in h3_text")
    grading = (
        SourceGrading.parse(extension["source_grading"]) if "source_grading" in extension else None
    )
    recipients = extension.get("recipients", [])
    if not isinstance(recipients, list) or not all(isinstance(r, str) and r for r in recipients):
        raise InvalidHandling("recipients must be a list of usernames")
    named = tuple(dict.fromkeys([*recipients, *extra_recipients])) if tlp is Tlp.RED else ()
    if tlp is Tlp.RED and not named:
        raise InvalidHandling(
            "a TLP:RED object must name its recipients (handling extension or --recipient)"
        )
    forwarding = _forwarding(extension[FORWARDING]) if FORWARDING in extension else ()
    return Handling(
        tlp, pap, codes, h3_text, grading, named or tuple(recipients), tuple(others), forwarding
    )


_UNMARKED: Final = Handling()


def _refuse_stricter_parts(obj: dict[str, Any], tlp: Tlp | None, pap: Pap | None) -> None:
    """Refuse an object whose granular markings make part of it stricter than the whole.

    Handling is enforced per object on every path (pages, exports, sharing, correlation,
    federation); a property that only a granular marking protects would travel with the
    object to whoever may see the object. So such an object is refused, with the way out.
    """
    for marking in obj.get("granular_markings") or ():
        ref = marking.get("marking_ref") if isinstance(marking, dict) else None
        if ref in TLP_MARKINGS and (tlp is None or TLP_MARKINGS[ref] > tlp):
            level, whole = TLP_MARKINGS[ref], "unmarked" if tlp is None else tlp.label
            raise InvalidHandling(
                f"a granular marking makes part of it {level.label}, stricter than the "
                f"object as a whole ({whole}); handling is enforced per object here: mark "
                "the whole object that way, or move the restricted part to an object of its own"
            )
        if ref in PAP_MARKINGS and (pap is None or PAP_MARKINGS[ref] > pap):
            raise InvalidHandling(
                f"a granular marking makes part of it PAP:{PAP_MARKINGS[ref].name}, stricter "
                "than the object as a whole; mark the whole object that way, or move the "
                "restricted part to an object of its own"
            )


def most_restrictive(*inputs: Handling) -> Handling:
    """Return the handling of something derived from several objects.

    The strictest TLP and PAP apply, every handling code of every input applies, and
    RED recipients narrow to the users named by every RED input.
    """
    tlps = [h.tlp for h in inputs if h.tlp is not None]
    paps = [h.pap for h in inputs if h.pap is not None]
    codes = HandlingCode.NONE
    for handling in inputs:
        codes |= handling.codes
    texts = [h.h3_text for h in inputs if h.h3_text]
    red_sets = [set(h.recipients) for h in inputs if h.tlp is Tlp.RED]
    recipients = tuple(sorted(set.intersection(*red_sets))) if red_sets else ()
    return Handling(
        tlp=max(tlps) if tlps else None,
        pap=max(paps) if paps else None,
        codes=codes,
        h3_text="\n".join(dict.fromkeys(texts)),
        recipients=recipients,
    )
