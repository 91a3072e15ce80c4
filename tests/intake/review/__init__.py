"""Drafts under review, one test module per concern (as in ``passerelle.intake.review``):
the article they are made from and the steps the tests share."""

from __future__ import annotations

import json
from typing import Any

from passerelle.core.context import Context
from passerelle.intake import review
from passerelle.intake.review import Correct, Decide, DraftRef

# Written for these tests (not taken from any publication).
ARTICLE = (
    "Marseille : un homme interpellé pour un projet d'attentat\n"
    "\n"
    "La Direction générale de la sécurité intérieure (DGSI) a interpellé lundi à Marseille "
    "un homme de 24 ans, Karim Benali, soupçonné de préparer un attentat contre une église "
    "pour le compte de l'État islamique. Il recevait ses consignes sur Telegram.\n"
    "\n"
    "« La menace reste très élevée », a déclaré le ministre de l'Intérieur, Laurent Morel. "
    "Selon lui, le suspect était en contact avec un recruteur installé en Syrie.\n"
)
DGSI = "Direction générale de la sécurité intérieure"


def number_of(view: review.DraftView, needle: str, kind: str = "entity") -> int:
    """Return the number of the one element of a kind whose summary holds ``needle``."""
    found = [e.number for e in view.elements if e.kind == kind and needle in e.summary]
    assert len(found) == 1, (needle, [e.summary for e in view.elements])
    return found[0]


def decide(ctx: Context, draft_id: str, number: int, verb: str) -> review.Element:
    """Accept or reject (``verb``) an element of a draft."""
    request = Decide(draft_id=draft_id, element=str(number))
    run = review.accept_element if verb == "accept" else review.reject_element
    return run(ctx, request)


def review_all(ctx: Context, view: review.DraftView) -> dict[str, int]:
    """Accept DGSI, the group, Telegram and the quotation; correct the suspect's name;
    reject the places, the minister (the quotation's speaker) and anything else."""
    numbers = {
        "dgsi": number_of(view, DGSI),
        "group": number_of(view, "islamique"),
        "telegram": number_of(view, "Telegram"),
        "suspect": number_of(view, "Karim Benali"),
        "minister": number_of(view, "Laurent Morel"),
        "quote": number_of(view, "La menace reste", "quotation"),
    }
    for name in ("dgsi", "group", "telegram", "quote"):
        decide(ctx, view.id, numbers[name], "accept")
    corrected = review.correct_element(
        ctx,
        Correct(draft_id=view.id, element=str(numbers["suspect"]), name="Karim Ben Ali"),
    )
    assert corrected.state == "corrected"
    assert corrected.object["name"] == "Karim Ben Ali"
    for element in review.show_draft(ctx, DraftRef(draft_id=view.id)).elements:
        if element.state == "pending":
            decide(ctx, view.id, element.number, "reject")
    return numbers


def seen_in_channel(ctx: Context, channel: str) -> dict[str, dict[str, Any]]:
    """The objects of a channel that the context's user may see (what export reads)."""
    from sqlalchemy import select

    from passerelle.policy.visibility import channel_for, visible_placement
    from passerelle.store.schema import channel_objects, objects

    with ctx.database.read() as conn:
        found = channel_for(conn, ctx.viewer, channel)
        rows = conn.execute(
            select(objects.c.body)
            .join(
                channel_objects,
                (channel_objects.c.stix_id == objects.c.stix_id)
                & (channel_objects.c.version == objects.c.version),
            )
            .where(
                channel_objects.c.channel_id == found.id,
                visible_placement(ctx.viewer, channel_objects),
            )
        ).all()
    bodies = [json.loads(r.body) for r in rows]
    return {b["id"]: b for b in bodies}
