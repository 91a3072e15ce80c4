"""The review of drafts: intake's draft reports stored for an analyst to accept, correct or
reject element by element, then published as intelligence; each an :class:`Operation`
that the REST API and the command line both call.

Rules:

- A draft is stored for a channel its user may write into (the posting rule of
  :func:`passerelle.policy.posting.posting_refusal`), and it is not intelligence: only its
  organisation sees it (:func:`passerelle.policy.drafts.drafts_kept_by` on every read);
  another organisation's draft answers exactly like an id that does not exist; auditors
  take no part.
- Each entity, quotation and fact of the draft is an element, ``pending`` until a person
  accepts, corrects (a new name, label or the whole STIX object; then it counts as
  accepted) or rejects it. A quotation's speaker corrected by name is the draft's entity
  of that name, else a new entity element added as corrected; the quotation's speaker
  reference, ``object_refs`` and speaker kind follow it. The report itself is an element
  too, accepted from the start: it may be corrected (its title), not rejected.
- Publishing (``intake publish``) needs every element decided. It stores, in the draft's
  channel and through the ordinary write path (validation, handling rules, watches,
  correlation and entity resolution), only the accepted and corrected elements and the
  report, which then refers to them alone (and is no longer marked as a draft). A
  reference to an element that was not accepted is dropped from a list, or from an
  intake property (a quotation's speaker); an object whose required reference (a fact's
  subject or object) was not accepted is left out, and the answer says so. The markings
  stay as the draft had them.
- An accepted entity that intake linked to a known entity is linked to it as a reviewed
  link (``accepted``): its names become that entity's with source ``review``, seen by
  whoever may see the published object.
- Storing, accepting, correcting, rejecting and publishing are recorded in the audit log.

The modules, by concern: :mod:`.models` (requests, and drafts and elements as answered),
:mod:`.elements` (the elements of a draft bundle), :mod:`.reading` (reading drafts from the
store; list, show), :mod:`.storing`, :mod:`.decisions` (accept, reject, correct),
:mod:`.speakers` (a quotation's speaker corrected) and :mod:`.publishing`,
:mod:`.operations` (each registered for the REST API and the command line).
"""

from __future__ import annotations

from passerelle.intake.review.additions import add_entity, add_fact
from passerelle.intake.review.decisions import accept_element, correct_element, reject_element
from passerelle.intake.review.models import (
    AddEntity,
    AddFact,
    Correct,
    CorrectBody,
    Decide,
    DecideBody,
    DraftRef,
    DraftState,
    DraftSummary,
    DraftView,
    Element,
    ElementState,
    Kind,
    ListDrafts,
    Published,
    StoreDraft,
)
from passerelle.intake.review.operations import (
    ACCEPT,
    ADD_ENTITY,
    ADD_FACT,
    CORRECT,
    LIST,
    PUBLISH,
    REJECT,
    SHOW,
    STORE,
)
from passerelle.intake.review.publishing import publish_draft
from passerelle.intake.review.reading import list_drafts, show_draft
from passerelle.intake.review.storing import store_draft

__all__ = [
    "ACCEPT",
    "ADD_ENTITY",
    "ADD_FACT",
    "CORRECT",
    "LIST",
    "PUBLISH",
    "REJECT",
    "SHOW",
    "STORE",
    "AddEntity",
    "AddFact",
    "Correct",
    "CorrectBody",
    "Decide",
    "DecideBody",
    "DraftRef",
    "DraftState",
    "DraftSummary",
    "DraftView",
    "Element",
    "ElementState",
    "Kind",
    "ListDrafts",
    "Published",
    "StoreDraft",
    "accept_element",
    "add_entity",
    "add_fact",
    "correct_element",
    "list_drafts",
    "publish_draft",
    "reject_element",
    "show_draft",
    "store_draft",
]
