# ruff: noqa: RUF001, RUF002  (guillemets, curly quotes and dashes, on purpose)
"""Quotation marks: « » (with or without non-breaking or narrow non-breaking spaces), “ ”,
„ “, ‹ ›, and straight double quotes, paired and nested; a paragraph end closes what is
open.

Where the language asks for them (English), also single quotes, straight or curly (the
normalised text has only straight ones): ``'...'`` and doubled ``''...''``. A single
quote is a mark only where it cannot be an apostrophe: it opens after a space, a
bracket, a dash or another mark and before a letter or a digit that is not a year's
("'90s"); it closes a single quote that is open, after a non-space and before no letter
or digit. A single quote still open at its paragraph's end was an apostrophe after all
("the agents' cars"), and is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

_PAIRS: Final = {"«": "»", "“": "”", "„": "“", "‹": "›", '"': '"'}
#: Spaces that may stand between a quotation mark and the quote.
SPACES: Final = " \t\u00a0\u202f\u2009\u2007"
_SINGLE: Final = "'"
_DOUBLED: Final = "''"
# What the scan stops at: a mark, a paragraph end (and, where asked, a single quote); it
# skips the text between them at once, not character by character.
_STOPS: Final = re.compile("[" + re.escape("".join(sorted({*_PAIRS, *_PAIRS.values()}))) + "\n]")
_STOPS_AND_SINGLES: Final = re.compile(_STOPS.pattern[:-1] + _SINGLE + "]")
_OPENS_AFTER: Final = (
    " \t\n([{—–-\u00a0\u202f\u2009\u2007" + "".join(_PAIRS) + "".join(_PAIRS.values())
)


@dataclass
class Quote:
    """A pair of quotation marks: where they open and close, and the quote they are in.

    ``width`` is the length of each mark (2 for a doubled single quote ``''``)."""

    open: int
    close: int  # index of the closing mark, or the paragraph end when unclosed
    unclosed: bool
    parent: int | None
    closer: str
    width: int = 1

    @property
    def outer_end(self) -> int:
        """Return the offset just after the closing mark (or the paragraph end)."""
        return self.close if self.unclosed else self.close + self.width


def _single_mark(text: str, start: int, width: int, open_: bool) -> str:
    """Return "open", "close" or "" for a single quote mark at ``start`` (an apostrophe:
    ""); ``open_`` tells whether one of its kind is open."""
    before = text[start - 1] if start else " "
    after = text[start + width] if start + width < len(text) else " "
    if open_ and not before.isspace() and not after.isalnum():
        return "close"
    digits = text[start + width : start + width + 3]
    year = len(digits) >= 2 and digits[:2].isdigit() and not digits[2:].isdigit()
    if before in _OPENS_AFTER and (after.isalnum() or after in '"“«') and not year:
        return "open"
    return ""


def scan(text: str, singles: bool = False) -> list[Quote]:
    """Return the quotation marks of ``text``, paired; a paragraph end closes what is open.

    ``singles``: single quotes are marks too, where they cannot be apostrophes."""
    spans: list[Quote] = []
    stack: list[int] = []
    stop = (_STOPS_AND_SINGLES if singles else _STOPS).search
    i = 0
    while (found := stop(text, i)) is not None:
        i = found.start()
        ch = text[i]
        mark = ch
        if singles and ch == _SINGLE:
            mark = _DOUBLED if text.startswith(_DOUBLED, i) else _SINGLE
            kind = _single_mark(text, i, len(mark), _open(spans, stack, mark))
            if not kind:
                i += len(mark)
                continue
            if kind == "open":
                spans.append(Quote(i, -1, False, stack[-1] if stack else None, mark, len(mark)))
                stack.append(len(spans) - 1)
                i += len(mark)
                continue
        if ch == "\n":
            for k in stack:
                spans[k].close, spans[k].unclosed = i, True
            stack.clear()
        elif stack and any(spans[k].closer == mark for k in stack):
            while stack:
                k = stack.pop()
                if spans[k].closer == mark:
                    spans[k].close = i
                    break
                spans[k].close, spans[k].unclosed = i, True
        elif ch in _PAIRS:
            spans.append(Quote(i, -1, False, stack[-1] if stack else None, _PAIRS[ch]))
            stack.append(len(spans) - 1)
        i += len(mark)
    for k in stack:
        spans[k].close, spans[k].unclosed = len(text), True
    return _without_open_singles(spans) if singles else spans


def _open(spans: list[Quote], stack: list[int], mark: str) -> bool:
    return any(spans[k].closer == mark for k in stack)


def _without_open_singles(spans: list[Quote]) -> list[Quote]:
    """Drop single quotes left open (apostrophes after all); nested quotes move up."""
    dropped = {k for k, s in enumerate(spans) if s.unclosed and s.closer in (_SINGLE, _DOUBLED)}
    if not dropped:
        return spans
    new_index: dict[int, int] = {}
    kept: list[Quote] = []
    for k, span in enumerate(spans):
        if k in dropped:
            continue
        parent = span.parent
        while parent is not None and parent in dropped:
            parent = spans[parent].parent
        new_index[k] = len(kept)
        span.parent = None if parent is None else new_index[parent]
        kept.append(span)
    return kept


def inner(text: str, span: Quote) -> tuple[int, int]:
    """Return the bounds of a quote's text, without the spaces inside its marks."""
    start, end = span.open + span.width, span.close
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
