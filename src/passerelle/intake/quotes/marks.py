# ruff: noqa: RUF001, RUF002  (guillemets, curly quotes and dashes, on purpose)
"""Quotation marks: « » (with or without non-breaking or narrow non-breaking spaces), “ ”,
„ “, ‹ ›, and straight double quotes, paired and nested; a paragraph end closes what is
open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

_PAIRS: Final = {"«": "»", "“": "”", "„": "“", "‹": "›", '"': '"'}
#: Spaces that may stand between a quotation mark and the quote.
SPACES: Final = " \t\u00a0\u202f\u2009\u2007"


@dataclass
class Quote:
    """A pair of quotation marks: where they open and close, and the quote they are in."""

    open: int
    close: int  # index of the closing mark, or the paragraph end when unclosed
    unclosed: bool
    parent: int | None
    closer: str

    @property
    def outer_end(self) -> int:
        """Return the offset just after the closing mark (or the paragraph end)."""
        return self.close if self.unclosed else self.close + 1


def scan(text: str) -> list[Quote]:
    """Return the quotation marks of ``text``, paired; a paragraph end closes what is open."""
    spans: list[Quote] = []
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch == "\n":
            for k in stack:
                spans[k].close, spans[k].unclosed = i, True
            stack.clear()
        elif stack and any(spans[k].closer == ch for k in stack):
            while stack:
                k = stack.pop()
                if spans[k].closer == ch:
                    spans[k].close = i
                    break
                spans[k].close, spans[k].unclosed = i, True
        elif ch in _PAIRS:
            spans.append(Quote(i, -1, False, stack[-1] if stack else None, _PAIRS[ch]))
            stack.append(len(spans) - 1)
    for k in stack:
        spans[k].close, spans[k].unclosed = len(text), True
    return spans


def inner(text: str, span: Quote) -> tuple[int, int]:
    """Return the bounds of a quote's text, without the spaces inside its marks."""
    start, end = span.open + 1, span.close
    while start < end and text[start] in SPACES:
        start += 1
    while end > start and (text[end - 1] in SPACES or (span.unclosed and text[end - 1].isspace())):
        end -= 1
    return start, end


def blank_siblings(text: str, spans: list[Quote], keep: int) -> str:
    """Return the text with the quote ``spans[keep]`` and its siblings blanked out."""
    chars = list(text)
    parent = spans[keep].parent
    for s in spans:
        if s.parent == parent:
            for i in range(s.open, min(s.outer_end, len(chars))):
                if chars[i] != "\n":
                    chars[i] = " "
    return "".join(chars)


def bounds(text: str, spans: list[Quote], k: int) -> tuple[int, int]:
    """Return the paragraph of a top-level quote, or the inner text of a nested one's parent."""
    span = spans[k]
    if span.parent is not None:
        return inner(text, spans[span.parent])
    start = text.rfind("\n", 0, span.open) + 1
    end = text.find("\n", span.outer_end)
    return start, len(text) if end < 0 else end
