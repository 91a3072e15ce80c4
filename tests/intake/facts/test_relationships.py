"""Facts in English and Russian articles become relationships that validate (issue 6,
item 6). Articles written for these tests."""

# ruff: noqa: RUF001

from __future__ import annotations

from datetime import date

import pytest

from passerelle.intake.pipeline import draft_of
from passerelle.stix.validation import validate_object
from tests.world import SHIPPED_ALIASES as ALIASES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ENGLISH = (
    "Moscow thanks Washington for a warning\n"
    "\n"
    "The CIA passed information to the FSB about a plot in Saint Petersburg. "
    "The FSB arrested Ivan Petrov on Tuesday. Vladimir Putin thanked the CIA.\n"
)
RUSSIAN = (
    "Москва благодарит Вашингтон\n"
    "\n"
    "ЦРУ передало ФСБ информацию о готовящемся теракте в Санкт-Петербурге. "
    "ФСБ задержала Ивана Петрова. Владимир Путин поблагодарил ЦРУ.\n"
)


@pytest.mark.parametrize(
    ("source", "lang", "pairs"),
    [
        (ENGLISH, "en", {("064", "CIA", "FSB"), ("173", "FSB", "Ivan Petrov")}),
        (RUSSIAN, "ru", {("064", "ЦРУ", "ФСБ"), ("173", "ФСБ", "Иван Петров")}),
    ],
)
def test_facts_become_relationships_that_validate(
    source: str, lang: str, pairs: set[tuple[str, str, str]]
) -> None:
    draft = draft_of(source, ALIASES, published=date(2025, 3, 11))
    assert draft.article.lang == lang
    assert draft.facts
    objects = draft.bundle()["objects"]
    for obj in objects:
        assert validate_object(obj) is None, obj
    names = {o["id"]: o.get("name") for o in objects}
    found = {
        (o["x_passerelle_cameo"], names[o["source_ref"]], names[o["target_ref"]])
        for o in objects
        if o["type"] == "relationship" and "x_passerelle_cameo" in o
    }
    assert pairs <= found
    # The title line is read too (issue 15 item 10): the Russian one says Moscow thanks
    # Washington, a thanks of its own; the body's is still exactly one.
    title_thanks = {("051", "Москва", "Вашингтон")}
    if lang == "ru":
        assert title_thanks <= found
    thanks = {f for f in found if f[0] == "051"} - title_thanks
    assert len(thanks) == 1
