# ruff: noqa: RUF001  (Cyrillic letters, on purpose)
"""Intake's shortcuts give what the long way gives: each is checked against it.

Whole-word search without a leading look-behind (:class:`~.mentions.base.Word`), the
quotation-mark scan that skips plain text, linking that scores only the names sharing a
key with the query (or none, for a candidate's own name), and the Russian parse that
tokenises once and tags morphology only where it is read.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passerelle.intake.mentions import ru
from passerelle.intake.mentions.base import Word
from passerelle.intake.pipeline import AliasLinker, best_of
from passerelle.intake.quotes import marks
from passerelle.resolution.names import name_keys
from tests.intake.mentions.test_ru import ARTICLE
from tests.world import SHIPPED_ALIASES as ALIASES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

_PIECES = ["ab", "a", "b", "-", " ", "_", "1", "Ф", "ФСБ", "Telegram", "\n", "é", "'", "«"]
_CORES = [
    "ab",
    "a",
    "ФСБ",
    r"ФСБ(?: России)?",
    "Telegram",
    r"[Тт]елеграмм?[а-я]{0,3}",
    r"b\w{0,2}",
    r"a|ab|b-a",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30), st.sampled_from(_CORES))
def test_word_finds_what_the_look_behind_pattern_finds(pieces: list[str], core: str) -> None:
    text = "".join(pieces)
    bounded = re.compile(r"(?<![\w-])(?:" + core + r")(?![\w-])")
    expected = [(m.span(), m.groups()) for m in bounded.finditer(text)]
    assert [(m.span(), m.groups()) for m in Word(core).finditer(text)] == expected


_PAIRS = {"«": "»", "“": "”", "„": "“", "‹": "›", '"': '"'}


def _scan_one_by_one(text: str) -> list[tuple[int, int, bool]]:
    """The scan as it was, character by character: opening and closing pairs only."""
    stack: list[tuple[int, str]] = []
    found = []
    for i, ch in enumerate(text):
        if ch == "\n":
            found.extend((k, i, True) for k, _c in stack)
            stack.clear()
        elif stack and any(closer == ch for _k, closer in stack):
            while stack:
                k, closer = stack.pop()
                if closer == ch:
                    found.append((k, i, False))
                    break
                found.append((k, i, True))
        elif ch in _PAIRS:
            stack.append((i, _PAIRS[ch]))
    found.extend((k, len(text), True) for k, _c in stack)
    return sorted(found)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='ab «»“”„‹›"\n', max_size=40))
def test_the_mark_scan_skipping_plain_text_pairs_as_one_by_one(text: str) -> None:
    quotes = marks.scan(text)
    assert sorted((q.open, q.close, q.unclosed) for q in quotes) == _scan_one_by_one(text)


def test_linking_scores_only_names_that_share_a_key_and_links_the_same() -> None:
    """Every alias name, and a few variants, link as scoring all of every candidate's
    names would link them (a candidate's own name: not scored at all)."""
    linker = AliasLinker(ALIASES)
    entities = [(e.id, e.kind, [n for n, _source in e.names]) for e in ALIASES.entities]
    queries = {(name, kind) for _id, kind, names in entities for name in names}
    queries |= {(name.upper(), kind) for _id, kind, names in entities for name in names[:2]}
    queries |= {("Путина", "person"), ("Islamic State of Iraq", "organization")}
    linked = 0
    for name, kind in sorted(queries):
        keys = name_keys(name, kind)
        full_pool = [
            (entity_id, names)
            for entity_id, of_kind, names in entities
            if of_kind == kind and any(keys & name_keys(n, kind) for n in names)
        ]
        expected = best_of(name, kind, full_pool)
        assert linker.link(name, kind) == expected, name
        linked += expected is not None
    assert linked >= len(entities)  # every entity is found by one of its names at least


def test_the_russian_parse_gives_natashas_spans_and_tags() -> None:
    """One tokenisation for both taggers, morphology where a name is: the same spans, and
    the same tags in every sentence it tags, as natasha's own ``tag_ner`` and
    ``tag_morph`` on the whole text."""
    from natasha import Doc

    from passerelle.intake.typography import normalise

    loaded = ru.models()
    whole = Doc(normalise(ARTICLE))
    whole.segment(loaded.segmenter)
    whole.tag_morph(loaded.morph)
    whole.tag_ner(loaded.ner)
    ours = ru.parse(ARTICLE)
    assert [(s.start, s.stop, s.type) for s in ours.spans] == [
        (s.start, s.stop, s.type) for s in whole.spans
    ]
    tagged = 0
    for mine, theirs in zip(ours.sents, whole.sents, strict=True):
        named = any(s.start < mine.stop and s.stop > mine.start for s in ours.spans)
        assert (mine.tokens[0].pos is not None) == named
        if named:
            tagged += 1
            assert [(t.pos, t.feats) for t in mine.tokens] == [
                (t.pos, t.feats) for t in theirs.tokens
            ]
    assert tagged >= 3
    ru.tag_morph(ours, range(len(ours.sents)))  # the rest, when a reader asks
    assert [(t.pos, t.feats) for t in ours.tokens] == [(t.pos, t.feats) for t in whole.tokens]


def test_a_nominative_span_is_its_own_normal_form() -> None:
    text = "Мария Захарова заявила, что Сергея Лаврова проинформировали."
    canonical = {m.text: m.canonical for m in ru.extract(text, ALIASES)}
    assert canonical["Мария Захарова"] == "Мария Захарова"  # nominative: as written
    assert canonical["Сергея Лаврова"] == "Сергей Лавров"  # inflected by natasha


def test_natasha_multiplies_on_one_blas_thread() -> None:
    from threadpoolctl import threadpool_info

    ru.models()
    blas = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    assert blas
    assert all(lib["num_threads"] == 1 for lib in blas)
