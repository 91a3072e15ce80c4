"""Marking a draft's source text at its offsets: spans nest, one running past the span
it starts in is cut at that span's end, offsets outside the text are ignored."""

from __future__ import annotations

from passerelle.web.highlight import Marked, Span, marked_text


def _shape(parts: list[str | Marked]) -> list[object]:
    return [p if isinstance(p, str) else (p.span.kind, _shape(p.parts)) for p in parts]


def test_spans_nest_and_the_text_is_kept_whole() -> None:
    text = "« La menace reste élevée », a dit Laurent Morel lundi."
    quote = Span(0, text.index(","), "quotation", "q", 3, "pending")
    person = _at(text, "Laurent Morel", "entity")
    day = _at(text, "lundi", "date")
    verb = _at(text, "dit", "fact")
    parts = marked_text(text, [day, person, quote, verb])
    assert _shape(parts) == [
        ("quotation", ["« La menace reste élevée »"]),
        ", a ",
        ("fact", ["dit"]),
        " ",
        ("entity", ["Laurent Morel"]),
        " ",
        ("date", ["lundi"]),
        ".",
    ]


def test_a_span_inside_another_nests_and_one_crossing_its_end_is_cut() -> None:
    text = "abcdefghij"
    outer = Span(0, 6, "quotation", "q", 1)
    inner = Span(2, 4, "entity", "e", 2)
    crossing = Span(5, 9, "fact", "f", 3)
    same_start = Span(0, 2, "date", "d")
    outside = Span(8, 40, "entity", "beyond the text", 4)
    parts = marked_text(text, [crossing, inner, outer, same_start, outside])
    assert _shape(parts) == [
        ("quotation", [("date", ["ab"]), ("entity", ["cd"]), "e", ("fact", ["f"])]),
        "ghij",
    ]
    flat = "".join(_text(p) for p in parts)
    assert flat == text


def _at(text: str, words: str, kind: str) -> Span:
    start = text.index(words)
    return Span(start, start + len(words), kind, words)


def _text(part: str | Marked) -> str:
    return part if isinstance(part, str) else "".join(_text(p) for p in part.parts)
