"""The intake pages: read an article (pasted, or a .txt or .html file), review its draft
element by element beside its source text, add what intake missed, publish it.

Every read and action runs the review operations the REST API and the command line run
(``intake.store``, ``intake.list``, ``intake.show``, ``intake.accept``, ``intake.reject``,
``intake.correct``, ``intake.add-entity``, ``intake.add-fact``, ``intake.publish``)
through :func:`~passerelle.core.operations.perform`, so the pages show and allow exactly
what they do, and the audit log records the same: a draft of another organisation answers
404 like one that does not exist. A file is decoded as the command line decodes one
(:func:`passerelle.intake.reading.decode`), then read, HTML or text, by the same reader.
The draft's channel and TLP are chosen when the article is read; publishing stores the
accepted elements in that channel. An article stored already is refused with the reason,
and the form then offers to store it as an update of its draft (keeping the reviewed
decisions).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Final

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from passerelle.core.context import Context
from passerelle.core.operations import Operation, perform
from passerelle.errors import BadInput, Conflict, Forbidden, NotFound, PasserelleError
from passerelle.intake import review
from passerelle.intake.reading import MAX_BYTES, decode
from passerelle.policy.directory import Channel
from passerelle.policy.posting import posting_refusal
from passerelle.policy.visibility import member_channels
from passerelle.policy.workflow import require_worker
from passerelle.web.access import checked_form, context_of, field, page, refused, signed_in
from passerelle.web.highlight import article_text, dates_of, marked_text, spans_of, tlp_of
from passerelle.web.sessions import WebSession

router = APIRouter(include_in_schema=False)
Session = Annotated[WebSession, Depends(signed_in)]
#: The files the intake form reads.
READABLE: Final = (".txt", ".html", ".htm")
DECISIONS: Final = {"accept": review.ACCEPT, "reject": review.REJECT}
#: What the review page adds to a draft: the operation and the form's fields.
ADDITIONS: Final[dict[str, tuple[Operation[Any], tuple[str, ...]]]] = {
    "entities": (review.ADD_ENTITY, ("name", "label", "start", "end", "reason")),
    "facts": (review.ADD_FACT, ("subject", "object", "kind", "verb", "start", "end", "reason")),
}


def _problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{e['loc'][-1] if e['loc'] else ''}: {e['msg']}" for e in exc.errors())
    return exc.message if isinstance(exc, PasserelleError) else str(exc)


def _status(exc: Exception) -> int:
    if isinstance(exc, Forbidden):
        return 403
    return 400 if isinstance(exc, (BadInput, ValidationError)) else 409


def writable_channels(ctx: Context) -> list[Channel]:
    """The channels the viewer may post a draft into (the posting rule of every write)."""
    with ctx.database.read() as conn:
        return [
            c
            for c in member_channels(conn, ctx.viewer)
            if not posting_refusal(conn, ctx.viewer, c.id, c.title)
        ]


def _intake_page(
    request: Request,
    session: WebSession,
    status: int = 200,
    problem: str = "",
    asked: dict[str, str] | None = None,
) -> HTMLResponse:
    ctx = context_of(request, session)
    try:
        require_worker(ctx.viewer)
    except Forbidden as exc:
        return page(request, "error.html", 403, session, problem=exc.message)
    channels = writable_channels(ctx)
    values = asked or {}
    return page(
        request, "intake.html", status, session, channels=channels, asked=values, problem=problem
    )


@router.get("/intake")
def intake_page(request: Request, session: Session) -> HTMLResponse:
    """The form to read an article: paste it or give its file; channel and TLP."""
    return _intake_page(request, session)


async def _source(form: FormData) -> str:
    """Return the article the form gives: the file's, decoded, else the pasted text."""
    upload = form.get("file")
    text = form.get("text")
    pasted = text if isinstance(text, str) else ""
    if not isinstance(upload, UploadFile) or not upload.filename:
        return pasted
    if pasted.strip():
        raise BadInput("give the article's text or its file, not both")
    if not upload.filename.lower().endswith(READABLE):
        raise BadInput("the file must be a text (.txt) or an HTML page (.html)")
    raw = await upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise BadInput(f"the file is too large (at most {MAX_BYTES} bytes)")
    return decode(raw)


@router.post("/intake")
async def read_article(request: Request, session: Session) -> Response:
    """Read an article into a draft for review, then show the draft."""
    form = await checked_form(request, session)
    if form is None:
        return refused(request, session)
    asked = {k: field(form, k) for k in ("channel", "tlp", "lang", "published", "update")}
    ctx = context_of(request, session)
    try:
        try:
            text = await _source(form)
        finally:
            await form.close()  # an uploaded file's spooled copy
        stored = review.StoreDraft.model_validate(
            {
                "channel": asked["channel"],
                "text": text,
                "lang": asked["lang"] or None,
                "published": asked["published"] or None,
                "tlp": asked["tlp"] or "clear",
                "update": bool(asked["update"]),
            }
        )
        # Reading an article takes a while (the language model): off the event loop.
        view = await run_in_threadpool(perform, review.STORE, ctx, stored)
    except (PasserelleError, ValidationError) as exc:
        asked["text"] = field(form, "text")
        # A recognised article: the form offers to store it as an update.
        asked["known"] = "yes" if isinstance(exc, Conflict) else ""
        return _intake_page(request, session, _status(exc), _problem(exc), asked)
    return RedirectResponse(f"/intake/drafts/{view.id}", status_code=303)


@router.get("/intake/drafts")
def drafts_page(request: Request, session: Session) -> HTMLResponse:
    """The viewer's organisation's drafts, under review and published."""
    ctx = context_of(request, session)
    try:
        drafts = perform(review.LIST, ctx, review.ListDrafts(all=True))
    except PasserelleError as exc:
        return page(request, "error.html", _status(exc), session, problem=exc.message)
    return page(request, "drafts.html", 200, session, drafts=drafts)


def _draft_page(
    request: Request, session: WebSession, draft_id: str, status: int = 200, problem: str = ""
) -> HTMLResponse:
    ctx = context_of(request, session)
    try:
        view = perform(review.SHOW, ctx, review.DraftRef(draft_id=draft_id[:200]))
    except NotFound:
        return page(request, "error.html", 404, session, problem="not-found")
    except PasserelleError as exc:
        return page(request, "error.html", _status(exc), session, problem=exc.message)
    text = article_text(view)
    return page(
        request,
        "draft.html",
        status,
        session,
        draft=view,
        tlp=tlp_of(view),
        marked=marked_text(text, spans_of(view)),
        dates=dates_of(view),
        problem=problem,
    )


@router.get("/intake/drafts/{draft_id}")
def draft_page(request: Request, draft_id: str, session: Session) -> HTMLResponse:
    """A draft: its source text marked on one side, its elements to decide on the other."""
    return _draft_page(request, session, draft_id)


def _correction(form: FormData) -> dict[str, Any]:
    """The fields of a correction: a name, a label, a date's value, or the whole object
    as JSON."""
    values: dict[str, Any] = {"reason": field(form, "reason")}
    if field(form, "body"):
        try:
            values["body"] = orjson.loads(field(form, "body"))
        except orjson.JSONDecodeError as exc:
            raise BadInput(f"the corrected object is not JSON: {exc}") from exc
        return values
    if field(form, "value"):
        values["value"] = field(form, "value")
        return values
    values["name"] = field(form, "name") or None
    values["label"] = field(form, "label") or None
    return values


async def _act(
    request: Request,
    session: WebSession,
    draft_id: str,
    operation: Operation[Any],
    asked: Callable[[], BaseModel],
    anchor: str = "",
) -> Response:
    """Run an operation on a draft, then show it again; a refusal shows why."""
    try:
        perform(operation, context_of(request, session), asked())
    except NotFound:
        return page(request, "error.html", 404, session, problem="not-found")
    except (PasserelleError, ValidationError) as exc:
        return _draft_page(request, session, draft_id, _status(exc), _problem(exc))
    return RedirectResponse(f"/intake/drafts/{draft_id}{anchor}", status_code=303)


@router.post("/intake/drafts/{draft_id}/elements/{number}/{verb}")
async def decide(
    request: Request, draft_id: str, number: str, verb: str, session: Session
) -> Response:
    """Accept, reject or correct an element of a draft, then show the draft again."""
    form = await checked_form(request, session)
    if form is None:
        return refused(request, session)
    draft_id, number = draft_id[:200], number[:200]

    def asked() -> BaseModel:
        where = {"draft_id": draft_id, "element": number}
        if verb == "correct":
            return review.Correct.model_validate({**where, **_correction(form)})
        return review.Decide(**where, reason=field(form, "reason"))

    operation = review.CORRECT if verb == "correct" else DECISIONS.get(verb)
    if operation is None:
        return page(request, "error.html", 404, session, problem="not-found")
    return await _act(request, session, draft_id, operation, asked, f"#element-{number}")


@router.post("/intake/drafts/{draft_id}/publish")
async def publish(request: Request, draft_id: str, session: Session) -> Response:
    """Publish a reviewed draft into its channel, then show it (with its report)."""
    form = await checked_form(request, session)
    if form is None:
        return refused(request, session)
    draft_id = draft_id[:200]
    return await _act(
        request, session, draft_id, review.PUBLISH, lambda: review.DraftRef(draft_id=draft_id)
    )


@router.post("/intake/drafts/{draft_id}/{what}")
async def add(request: Request, draft_id: str, what: str, session: Session) -> Response:
    """Add an entity or a fact intake missed to a draft, then show the draft again."""
    form = await checked_form(request, session)
    if form is None:
        return refused(request, session)
    draft_id = draft_id[:200]
    if what not in ADDITIONS:
        return page(request, "error.html", 404, session, problem="not-found")
    operation, names = ADDITIONS[what]

    def asked() -> BaseModel:
        values = {k: field(form, k) for k in names if field(form, k)}
        made: BaseModel = operation.request.model_validate({"draft_id": draft_id, **values})
        return made

    return await _act(request, session, draft_id, operation, asked, f"#add-{what}")
