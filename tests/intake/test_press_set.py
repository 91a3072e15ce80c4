"""The public press evaluation set (eval/press): every committed file is well formed, and
the scorer's matching counts what it says (bench/press_set.py; no model is loaded)."""

from __future__ import annotations

import copy
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import press_set  # noqa: E402  (bench/, put on the path above)

EVAL = ROOT / "eval" / "press"
TEXT = "Titre : Paris\n\nLe 3 mai, Jean Dupont a dit « Nous resterons » à Paris. Dupont part lundi."


def _gold() -> dict[str, Any]:
    raw = TEXT.encode("utf-8")
    return {
        "id": "fr-2016-05-04-essai",
        "language": "fr",
        "title": "Titre : Paris",
        "published": "2016-05-04",
        "source": {
            "corpus": "made up",
            "repository": "nobody/nothing",
            "commit": "0" * 40,
            "path": "a.txt",
            "url": "https://example.org/a",
            "licence": "CC BY 2.5 (Wikinews)",
        },
        "text": {
            "file": "fr/a.txt",
            "sha256": hashlib.sha256(raw).hexdigest(),
            "characters": len(TEXT),
        },
        "annotator": "T",
        "entities": [
            {"name": "Jean Dupont", "type": "person", "variants": ["Jean Dupont", "Dupont"]},
            {"name": "Paris", "type": "location", "variants": ["Paris"]},
        ],
        "quotations": [
            {"begins": "Nous resterons", "speaker": "Jean Dupont", "speaker_kind": "person"}
        ],
        "dates": [
            {"text": "3 mai", "value": "2016-05-03"},
            {"text": "lundi", "value": "2016-05-09"},
        ],
        "facts": [
            {"kind": "arrest", "subject": "Jean Dupont", "place": "Paris", "date": "2016-05-03"}
        ],
        "notes": "",
    }


def _committed() -> list[Path]:
    return sorted(EVAL.glob("**/*.json"))


def test_the_set_has_files() -> None:
    assert _committed(), "no eval/press file found"


def test_the_set_holds_what_issue_15_asks() -> None:
    # At least 30 French, 15 English and 15 Russian articles; a blind second pass on a
    # third of each language, every one of them on an article of the first pass.
    for lang, least in (("fr", 30), ("en", 15), ("ru", 15)):
        first = {p.name for p in (EVAL / lang).glob("*.json")}
        second = {p.name for p in (EVAL / "second" / lang).glob("*.json")}
        assert len(first) >= least, f"{lang}: {len(first)} articles"
        assert 3 * len(second) >= len(first), f"{lang}: second pass on {len(second)}"
        assert second <= first, f"{lang}: second pass without a first: {second - first}"


@pytest.mark.parametrize("path", _committed(), ids=lambda p: str(p.relative_to(EVAL)))
def test_every_committed_file_is_well_formed(path: Path) -> None:
    gold = json.loads(path.read_text(encoding="utf-8"))
    assert press_set.check_schema(gold, path) == []
    # 2-space indent, keys in order, UTF-8 unescaped: the file is as json.dumps writes it.
    assert path.read_text(encoding="utf-8") == json.dumps(gold, ensure_ascii=False, indent=2) + "\n"


def test_a_good_file_passes_schema_and_text() -> None:
    gold = _gold()
    assert press_set.check_schema(gold, Path("fr/fr-2016-05-04-essai.json")) == []
    assert press_set.check_text(gold, TEXT.encode("utf-8")) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda g: g.pop("dates"), "missing keys: dates"),
        (lambda g: g.update({"id": g.pop("id")}), "keys out of order"),
        (lambda g: g["quotations"][0].update({"speaker": "Dupont"}), "not an entity name"),
        (
            lambda g: g["quotations"][0].update({"speaker_kind": "group"}),
            "but Jean Dupont is person",
        ),
        (lambda g: g["dates"][0].update({"value": "2016-02-30"}), "is not ISO"),
        (lambda g: g["entities"][1].update({"type": "city"}), "is not an entity type"),
        (lambda g: g["facts"][0].update({"place": "Lyon"}), "place 'Lyon' is not an entity name"),
        (lambda g: g["source"].update({"commit": "abc"}), "40 hex digits"),
        (lambda g: g.update({"language": "de"}), "is not one of"),
    ],
)
def test_schema_errors_are_named(change: Any, expected: str) -> None:
    gold = copy.deepcopy(_gold())
    change(gold)
    errors = press_set.check_schema(gold)
    assert any(expected in e for e in errors), errors


def test_the_file_must_sit_at_lang_slash_id() -> None:
    errors = press_set.check_schema(_gold(), Path("en/other.json"))
    assert errors == ["the file should be fr/fr-2016-05-04-essai.json"]


def test_text_checks_name_what_is_not_verbatim() -> None:
    gold = _gold()
    assert "sha256 differs" in press_set.check_text(gold, b"other")[0]
    gold["entities"][0]["variants"].append("J. Dupont")
    gold["dates"][0]["text"] = "3 Mai"
    raw = TEXT.encode("utf-8")
    assert press_set.check_text(gold, raw) == [
        "variant 'J. Dupont' is not in the text",
        "date text '3 Mai' is not in the text",
    ]


def test_fold_ignores_case_accents_apostrophes_and_spaces() -> None:
    assert press_set.fold("  L\u2019État   Islamique ") == "l'etat islamique"
    assert press_set.fold("Al\u2011Qaïda") == "al-qaida"


def test_entities_match_once_and_duplicates_are_false_positives() -> None:
    gold = _gold()["entities"]
    found = [
        (frozenset({"DUPONT"}), "person"),  # matches Jean Dupont, right type
        (frozenset({"Jean Dupont"}), "person"),  # the same again: a duplicate
        (frozenset({"paris"}), "organization"),  # matches Paris, wrong type
        (frozenset({"Lyon"}), "location"),  # nothing
    ]
    assert press_set.match_entities(gold, found) == (4, 2, 1)
    p, r, f = press_set.prf(2, 4, 2)
    assert (p, r) == (0.5, 1.0)
    assert f == pytest.approx(2 / 3)
    assert press_set.prf(0, 0, 0) == (0.0, 0.0, 0.0)


def test_quotations_match_by_beginning_and_speakers_by_variant() -> None:
    gold = _gold()
    found = [("nous  RESTERONS » à Paris.", frozenset({"Dupont"}))]
    assert press_set.match_quotations(gold, found) == (1, 1, 1, 1)
    wrong = [("Nous resterons", frozenset({"le ministre"}))]
    assert press_set.match_quotations(gold, wrong) == (1, 1, 1, 0)
    assert press_set.match_quotations(gold, [("Autre chose", frozenset())]) == (1, 0, 1, 0)


def test_short_quotations_are_1_to_3_words_between_their_marks() -> None:
    text = "Il parle d'un « énorme choc », puis : « Nous avons ordonné aux forces de partir »."
    assert press_set.short_quotation(text, "énorme choc")
    assert not press_set.short_quotation(text, "Nous avons ordonné")  # more follows
    assert not press_set.short_quotation(text, "choc")  # not the whole passage
    assert not press_set.short_quotation(text, "absent")
    assert press_set.short_quotation('He called it "cowardly".', "cowardly")


def test_dates_need_an_overlap_and_the_same_value() -> None:
    gold = _gold()["dates"]
    start = TEXT.index("3 mai")
    monday = TEXT.index("lundi")
    found = [(start - 3, start + 5, "2016-05-03"), (monday, monday + 5, "2016-05-02")]
    assert press_set.match_dates(TEXT, gold, found) == (2, 2, 1)
    assert press_set.match_dates(TEXT, gold, [(0, 5, "2016-05-03")]) == (2, 0, 0)


def test_an_article_scored_against_itself_agrees_fully() -> None:
    gold = _gold()
    counts = press_set.score_article(gold, TEXT, press_set.as_found(gold, TEXT))
    assert (counts.found, counts.matched, counts.typed, counts.gold) == (2, 2, 2, 2)
    assert (counts.quotes_found, counts.speakers_right, counts.dates_right) == (1, 1, 2)
    assert (counts.long_quotes, counts.long_quotes_found) == (0, 0)  # « Nous resterons »
