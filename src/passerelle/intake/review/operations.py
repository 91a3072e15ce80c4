"""The review operations, each served by the REST API and the command line alike."""

from __future__ import annotations

from passerelle.core.operations import Operation, register
from passerelle.intake.review.additions import add_entity, add_fact
from passerelle.intake.review.decisions import accept_element, correct_element, reject_element
from passerelle.intake.review.models import (
    AddEntity,
    AddFact,
    Correct,
    Decide,
    DraftRef,
    ListDrafts,
    StoreDraft,
)
from passerelle.intake.review.publishing import publish_draft
from passerelle.intake.review.reading import list_drafts, show_draft
from passerelle.intake.review.storing import store_draft

STORE = register(Operation("intake.store", "POST", "/api/intake/drafts", StoreDraft, store_draft))
LIST = register(Operation("intake.list", "GET", "/api/intake/drafts", ListDrafts, list_drafts))
SHOW = register(
    Operation("intake.show", "GET", "/api/intake/drafts/{draft_id}", DraftRef, show_draft)
)
ACCEPT = register(
    Operation(
        "intake.accept",
        "POST",
        "/api/intake/drafts/{draft_id}/elements/{element}/accept",
        Decide,
        accept_element,
    )
)
REJECT = register(
    Operation(
        "intake.reject",
        "POST",
        "/api/intake/drafts/{draft_id}/elements/{element}/reject",
        Decide,
        reject_element,
    )
)
CORRECT = register(
    Operation(
        "intake.correct",
        "POST",
        "/api/intake/drafts/{draft_id}/elements/{element}/correct",
        Correct,
        correct_element,
    )
)
PUBLISH = register(
    Operation(
        "intake.publish", "POST", "/api/intake/drafts/{draft_id}/publish", DraftRef, publish_draft
    )
)
ADD_ENTITY = register(
    Operation(
        "intake.add-entity", "POST", "/api/intake/drafts/{draft_id}/entities", AddEntity, add_entity
    )
)
ADD_FACT = register(
    Operation("intake.add-fact", "POST", "/api/intake/drafts/{draft_id}/facts", AddFact, add_fact)
)
