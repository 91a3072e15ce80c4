"""What the pages show, read through the objects layer and the policy module only.

A tip page shows the objects a tip holds that its viewer may see in the tip's channel
(:func:`passerelle.exchange.tips.show` lists them), each in its newest version visible to
the viewer (:func:`passerelle.objects.latest.latest_visible_versions`); an object whose
visible versions carry an H3 restriction the viewer has not acknowledged shows its id,
type, handling and the restriction's text, and nothing of its content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import Connection

from passerelle.core.context import Context
from passerelle.exchange.tips import Tip
from passerelle.objects.latest import bodies_of, latest_visible_versions
from passerelle.policy.actions import effective_tlps, h3_text_of
from passerelle.policy.withholding import withheld_seen
from passerelle.stix.markings import Handling, HandlingCode, InvalidHandling, read_handling

# Properties shown for people, in this order (ids, markings and extensions are not).
SHOWN: Final = (
    "description",
    "published",
    "report_types",
    "pattern",
    "valid_from",
    "indicator_types",
    "value",
    "relationship_type",
    "source_ref",
    "target_ref",
    "aliases",
    "identity_class",
    "country",
    "city",
    "first_seen",
    "last_seen",
    "content",
    "opinion",
    "explanation",
    "labels",
)
REFERENCES: Final = ("source_ref", "target_ref", "object_refs", "sighting_of_ref")


@dataclass
class ObjectView:
    """One object of a tip as its viewer may see it."""

    id: str
    type: str
    name: str = ""
    tlp: str = ""
    pap: str = ""
    codes: list[str] = field(default_factory=list)
    grading: str = ""
    h3_text: str = ""
    withheld: bool = False
    properties: list[tuple[str, str]] = field(default_factory=list)
    refers_to: list[str] = field(default_factory=list)


# The handling codes one by one, listed once (iterating a Flag enum is slow: 5,000 views
# of a big graph spent a third of their time in it).
CODES: Final = tuple(code for code in HandlingCode if code)


def _handling(body: dict[str, Any]) -> Handling:
    try:
        return read_handling(body)
    except InvalidHandling:
        # A TLP:RED object may name its recipients only where it was shared (the node keeps
        # them); its other rules are read without them.
        return read_handling(body, extra_recipients=("",))


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _view(stix_id: str, body: dict[str, Any], tlp: str, withheld: bool) -> ObjectView:
    rules = _handling(body)
    view = ObjectView(
        id=stix_id,
        type=body.get("type", stix_id.split("--")[0]),
        tlp=tlp,
        pap=f"PAP:{rules.pap.name}" if rules.pap is not None else "",
        codes=[code.name or "" for code in CODES if code in rules.codes],
        grading=_grading(rules),
        withheld=withheld,
    )
    if withheld:
        return view
    view.name = _name(body)
    view.properties = [(key, _text(body[key])) for key in SHOWN if key in body]
    for key in REFERENCES:
        refs = body.get(key)
        view.refers_to += refs if isinstance(refs, list) else [refs] if refs else []
    return view


def _name(body: dict[str, Any]) -> str:
    return str(body.get("name") or body.get("abstract") or body.get("value") or "")


def _grading(rules: Handling) -> str:
    grading = rules.grading
    if grading is None:
        return ""
    return f"{grading.scheme} {grading.reliability}{grading.credibility}".strip()


def tip_objects(ctx: Context, tip: Tip) -> list[ObjectView]:
    """Return the objects a tip holds, as its viewer may see them, in the tip's order."""
    return object_views(ctx, tip.objects)


@dataclass(frozen=True)
class Read:
    """What one batch of objects reads, as the viewer may see them: each one's newest
    visible version's body, its TLP, and which are withheld under H3."""

    bodies: dict[str, dict[str, Any]]
    tlps: dict[str, str]
    withheld: set[str]


def _read(conn: Connection, ctx: Context, stix_ids: list[str]) -> Read:
    versions = latest_visible_versions(conn, ctx.viewer, stix_ids)
    bodies = bodies_of(conn, versions)
    withheld = withheld_seen(conn, ctx.viewer, stix_ids)
    tlps = {i: tlp.label for i, tlp in effective_tlps(conn, versions).items()}
    return Read(bodies, tlps, withheld)


def object_views(ctx: Context, stix_ids: list[str]) -> list[ObjectView]:
    """Return these objects as the viewer may see them, in this order (those they may
    not see left out)."""
    with ctx.database.read() as conn:
        read = _read(conn, ctx, stix_ids)
        views = []
        for stix_id in stix_ids:
            if stix_id not in read.bodies:
                continue
            view = _view(
                stix_id,
                read.bodies[stix_id],
                read.tlps.get(stix_id, ""),
                stix_id in read.withheld,
            )
            if view.withheld or HandlingCode.H3.name in view.codes:
                view.h3_text = h3_text_of(conn, ctx.viewer, stix_id)
            views.append(view)
    return views


@dataclass(frozen=True, slots=True)
class Brief:
    """What a graph's node shows of an object: its type, name and TLP (no name for one
    withheld under H3)."""

    id: str
    type: str
    name: str
    tlp: str
    withheld: bool


def object_briefs(ctx: Context, stix_ids: list[str]) -> list[Brief]:
    """Return these objects in brief as the viewer may see them, in this order (those
    they may not see left out): the same reads as :func:`object_views`, without their
    handling rules, properties or H3 texts."""
    with ctx.database.read() as conn:
        read = _read(conn, ctx, stix_ids)
    briefs = []
    for stix_id in stix_ids:
        body = read.bodies.get(stix_id)
        if body is None:
            continue
        withheld = stix_id in read.withheld
        name = "" if withheld else _name(body)
        kind = body.get("type", stix_id.split("--")[0])
        briefs.append(Brief(stix_id, kind, name, read.tlps.get(stix_id, ""), withheld))
    return briefs
