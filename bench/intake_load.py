"""Measure intake's cold and warm article in one process: the models load once.

    .venv/bin/python bench/intake_load.py [--json]

In one process: the first article of a language (its models loaded on first use), then
a second, different article of the same language (read with the models already loaded),
for French, English and Russian. The articles are the small ones written for the tests
(``tests/intake``: not taken from any publication). Times are wall-clock and CPU seconds
of :func:`passerelle.intake.pipeline.draft_of`, each article read once; it also counts
the calls to ``spacy.load`` (one for French, none for the others: English reads with
rules over a blank tokenizer, Russian with natasha).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


def _articles() -> dict[str, tuple[str, str]]:
    from tests.intake import DGSI_CELL, FSB_ARRESTS
    from tests.intake.mentions.test_en import ARTICLE as ENGLISH
    from tests.intake.mentions.test_ru import ARTICLE as RUSSIAN
    from tests.intake.review import ARTICLE as FRENCH_REVIEW

    english_two = "Kremlin spokesman Dmitry Peskov thanked the CIA on Tuesday for the tip."
    russian_two = "ФСБ задержала в Казани двух сторонников ИГИЛ, сообщил Дмитрий Песков."
    return {
        "fr": (FSB_ARRESTS, DGSI_CELL + FRENCH_REVIEW),
        "en": (ENGLISH, english_two),
        "ru": (RUSSIAN, russian_two),
    }


def measure() -> dict[str, Any]:
    """Return the first and second article's seconds per language, and the model loads."""
    import spacy

    from passerelle.intake.pipeline import draft_of
    from passerelle.resolution import alias_dirs, load_alias_data

    loads: list[str] = []
    real_load = spacy.load

    def counting_load(name: Any, **options: Any) -> Any:
        loads.append(str(name))
        return real_load(name, **options)

    spacy.load = counting_load  # type: ignore[assignment]
    aliases = load_alias_data(alias_dirs())  # the shipped alias files
    results: dict[str, Any] = {}
    for lang, texts in _articles().items():
        times = []
        for text in texts:
            wall, cpu = time.perf_counter(), time.process_time()
            draft_of(text, aliases, lang=lang)
            times.append((time.perf_counter() - wall, time.process_time() - cpu))
        results[lang] = {
            "first_wall": round(times[0][0], 3),
            "first_cpu": round(times[0][1], 3),
            "second_wall": round(times[1][0], 3),
            "second_cpu": round(times[1][1], 3),
            "second_chars": len(texts[1]),
        }
    results["spacy_loads"] = loads
    return results


def main() -> None:
    """Print the figures (a table, or JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    results = measure()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'lang':<5}{'first wall':>12}{'first cpu':>11}{'second wall':>13}{'second cpu':>12}")
    for lang in ("fr", "en", "ru"):
        r = results[lang]
        print(
            f"{lang:<5}{r['first_wall']:>12.2f}{r['first_cpu']:>11.2f}"
            f"{r['second_wall']:>13.3f}{r['second_cpu']:>12.3f}"
        )
    print(f"spacy.load calls: {results['spacy_loads']}")


if __name__ == "__main__":
    main()
