"""The source text of a draft with what intake found in it marked at its offsets.

Offsets are character offsets into the article text the draft's report carries
(``x_passerelle_article_text``): an entity's mentions (``x_passerelle_mentions``), a
quotation's and a fact's span (``x_passerelle_start``/``_end``), the report's dates
(``x_passerelle_dates``) and its facts that are no element (``x_passerelle_facts``). Spans
nest: one that starts inside another and runs past its end is cut at that end, so that
the marks of the page are well formed; an offset outside the text is ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from passerelle.intake.review import DraftView, Element
from passerelle.stix.markings import TLP_MARKINGS

#: The longest source text shown, in characters (a draft's article is rarely this long).
MAX_TEXT: Final = 200_000


@dataclass(frozen=True)
class Span:
    """One thing found in the text: its kind, where, and the element it belongs to."""

    start: int
    end: int
    kind: str  # entity, quotation, fact, date
    label: str  # what it is, in a few words (a summary, a date's value)
    number: int | None = None  # the element's number, None for what is no element
    state: str = ""  # the element's state


@dataclass
class Marked:
    """A marked part of the text: its span and what it holds (text and marked parts)."""

    span: Span
    parts: list[str | Marked] = field(default_factory=list)


def article_text(view: DraftView) -> str:
    """Return the article text of a draft (what offsets count in)."""
    report = _report(view)
    text = report.get("x_passerelle_article_text") if report else None
    return text[:MAX_TEXT] if isinstance(text, str) else ""


def tlp_of(view: DraftView) -> str:
    """Return the draft's TLP as people write it (TLP:AMBER+STRICT), or ''."""
    report = _report(view) or {}
    for ref in report.get("object_marking_refs") or []:
        level = TLP_MARKINGS.get(ref)
        if level is not None:
            return "TLP:" + (level.name or "").replace("_", "+")
    return ""


def dates_of(view: DraftView) -> list[Span]:
    """Return the dates intake read in the text of a draft stored before dates were
    elements of the review (none of a later draft: its dates are elements)."""
    if any(e.kind == "date" for e in view.elements):
        return []
    report = _report(view) or {}
    return [
        Span(d["start"], d["end"], "date", str(d.get("value") or d.get("text", "")))
        for d in report.get("x_passerelle_dates") or []
        if isinstance(d, dict) and _offsets(d.get("start"), d.get("end"))
    ]


def spans_of(view: DraftView) -> list[Span]:
    """Return every span of the draft's text: its elements', its dates and loose facts."""
    found = [*dates_of(view)]
    for element in view.elements:
        found.extend(_element_spans(element))
    report = _report(view) or {}
    if any(e.stix_id.startswith(FACT_PREFIX) for e in view.elements):
        return found  # its facts are elements (a draft stored before: marked unnumbered)
    for fact in report.get("x_passerelle_facts") or []:
        if isinstance(fact, dict) and _offsets(fact.get("start"), fact.get("end")):
            label = f"{fact.get('label', '')}: {fact.get('sentence', '')}"
            found.append(Span(fact["start"], fact["end"], "fact", label[:200]))
    return found


def _element_spans(element: Element) -> Iterator[Span]:
    obj = element.object
    where: list[tuple[Any, Any]] = []
    if element.kind == "entity":
        where = [(m.get("start"), m.get("end")) for m in obj.get("x_passerelle_mentions") or []]
    elif element.stix_id.startswith(FACT_PREFIX):  # an entry of the report's facts
        where = [(obj.get("start"), obj.get("end"))]
    elif element.kind in ("quotation", "fact"):
        where = [(obj.get("x_passerelle_start"), obj.get("x_passerelle_end"))]
    elif element.kind == "date":
        where = [(obj.get("start"), obj.get("end"))]
    for start, end in where:
        if _offsets(start, end):
            yield Span(start, end, element.kind, element.summary, element.number, element.state)


FACT_PREFIX: Final = "x-passerelle-fact--"


def _offsets(start: Any, end: Any) -> bool:
    return isinstance(start, int) and isinstance(end, int) and 0 <= start < end


def _report(view: DraftView) -> dict[str, Any] | None:
    return next((e.object for e in view.elements if e.kind == "report"), None)


def marked_text(text: str, spans: list[Span]) -> list[str | Marked]:
    """Return the text cut into plain parts and marked parts, spans nested."""
    # Longer first at one start, so that what it holds nests inside it.
    ordered = sorted(
        (s for s in spans if s.end <= len(text)), key=lambda s: (s.start, -s.end, s.kind)
    )
    top: list[str | Marked] = []
    # The open marks, each with where it ends.
    stack: list[tuple[Marked, int]] = []
    position = 0

    def holder() -> list[str | Marked]:
        return stack[-1][0].parts if stack else top

    for span in ordered:
        while stack and stack[-1][1] <= span.start:
            position = _close(stack, text, position)
        if span.start > position:
            holder().append(text[position : span.start])
        position = span.start
        end = min(span.end, stack[-1][1]) if stack else span.end
        mark = Marked(span)
        holder().append(mark)
        stack.append((mark, end))
    while stack:
        position = _close(stack, text, position)
    if position < len(text):
        top.append(text[position:])
    return top


def _close(stack: list[tuple[Marked, int]], text: str, position: int) -> int:
    """Close the innermost open mark with the rest of its text; return where it ended."""
    mark, end = stack.pop()
    if end > position:
        mark.parts.append(text[position:end])
    return max(position, end)
