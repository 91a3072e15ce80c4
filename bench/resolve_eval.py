"""Measure the name-matching engine (passerelle.resolution.names) on public data.

    .venv/bin/python bench/resolve_eval.py [--data DIR] [--threshold 0.70] [--json]

Data (not copied into the repository; default DIR ../shared/data/names from the repo):
- un-consolidated-2018-10-29.xml: cross-script retrieval. Every name in original script
  (Arabic, Cyrillic) is looked up among the Latin names of all 1,093 listings; top-1 and
  top-5 = the right listing ranked first / in the first five (ties count against).
  Baselines measured in the same run: romaniser + Jaro-Winkler over all Latin names
  (unidecode, anyascii; PyICU Any-Latin when installed). The engine goes through the
  blocking keys (an inverted index, as the database table does), then ``score``.
- nomenklatura-checks.yml: labelled name pairs (name-only, vessels left out: 121 true,
  92 false); found = true pairs scoring >= threshold, false hits = false pairs >= it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from anyascii import anyascii
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from passerelle.resolution.names import Facts, Kind, name_keys, score

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "names"


@dataclass
class Listing:
    dataid: str
    kind: Kind
    latin: list[str] = field(default_factory=list)
    original: list[str] = field(default_factory=list)


def load_un(path: Path) -> list[Listing]:
    root = ET.parse(path).getroot()
    listings = []
    for tag, kind in (("INDIVIDUAL", "person"), ("ENTITY", "organization")):
        for node in root.iter(tag):
            listing = Listing(node.findtext("DATAID", "").strip(), kind)  # type: ignore[arg-type]
            parts = [
                (node.findtext(t) or "").strip()
                for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
            ]
            main = " ".join(p for p in parts if p)
            if main:
                listing.latin.append(main)
            for alias in node.iter(f"{tag}_ALIAS"):
                alias_name = (alias.findtext("ALIAS_NAME") or "").strip()
                if alias_name:
                    listing.latin.append(alias_name)
            original = (node.findtext("NAME_ORIGINAL_SCRIPT") or "").strip()
            if original:
                listing.original.append(original)
            listings.append(listing)
    return listings


def load_checks(path: Path) -> list[tuple[bool, Kind, str, str]]:
    """Name-only checks (both sides have a name; vessels left out), without a YAML library."""
    checks: list[dict[str, object]] = []
    side = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("- match:"):
            checks.append({"match": stripped.endswith("true"), "query": {}, "candidate": {}})
        elif not checks or not stripped or stripped.startswith("#"):
            continue
        elif stripped.startswith("schema:"):
            checks[-1]["schema"] = stripped.split(":", 1)[1].strip()
        elif stripped in ("query:", "candidate:"):
            side = stripped[:-1]
        elif ":" in stripped and side:
            key, value = (s.strip() for s in stripped.split(":", 1))
            if value[:1] in ("'", '"'):
                quote = value[0]
                value = value[1:-1]
                if quote == "'":
                    value = value.replace("''", "'")
            props = checks[-1][side]
            assert isinstance(props, dict)
            props[key] = value
    out = []
    for check in checks:
        query, cand = check["query"], check["candidate"]
        assert isinstance(query, dict)
        assert isinstance(cand, dict)
        if check.get("schema") == "Vessel" or "name" not in query or "name" not in cand:
            continue
        kind: Kind = "person" if check["schema"] == "Person" else "organization"
        out.append((bool(check["match"]), kind, str(query["name"]), str(cand["name"])))
    return out


def _rank(scores: np.ndarray, truth: int) -> int:
    """1-based rank of the true listing; ties count against it."""
    true_score = scores[truth]
    return int((scores > true_score).sum() + (scores == true_score).sum())


def baseline(listings: list[Listing], romanise: Callable[[str], str]) -> dict[str, float]:
    names, owner = [], []
    for i, listing in enumerate(listings):
        for name in listing.latin:
            names.append(romanise(name))
            owner.append(i)
    queries = [(romanise(q), i) for i, lst in enumerate(listings) for q in lst.original]
    matrix = process.cdist(
        [q for q, _ in queries], names, scorer=JaroWinkler.normalized_similarity, workers=-1
    )
    owner_arr = np.array(owner)
    top1 = top5 = 0
    for row, (_, truth) in enumerate(queries):
        per_listing = np.full(len(listings), -1.0)
        np.maximum.at(per_listing, owner_arr, matrix[row])
        rank = _rank(per_listing, truth)
        top1 += rank == 1
        top5 += rank <= 5
    return {"top1": top1 / len(queries), "top5": top5 / len(queries), "queries": len(queries)}


def engine_un(listings: list[Listing]) -> dict[str, float]:
    index: dict[str, set[int]] = defaultdict(set)
    for i, listing in enumerate(listings):
        for name in listing.latin:
            for key in name_keys(name, listing.kind):
                index[key].add(i)
    top1 = top5 = found = 0
    sizes = []
    comparisons = 0
    elapsed = 0.0
    queries = [(q, i) for i, lst in enumerate(listings) for q in lst.original]
    for query, truth in queries:
        kind = listings[truth].kind
        cands: set[int] = set()
        for key in name_keys(query, kind):
            cands |= index.get(key, set())
        ordered = sorted(c for c in cands if listings[c].kind == kind)  # the store filters by kind
        sizes.append(len(ordered))
        if truth not in cands:
            continue
        found += 1
        start = time.perf_counter()
        scored = score(query, Facts(), [(listings[c].latin, Facts()) for c in ordered], kind)
        elapsed += time.perf_counter() - start
        comparisons += sum(len(listings[c].latin) for c in ordered)
        values = np.array([s.score for s in scored])
        rank = _rank(values, ordered.index(truth))
        top1 += rank == 1
        top5 += rank <= 5
    n = len(queries)
    return {
        "top1": top1 / n,
        "top5": top5 / n,
        "queries": n,
        "blocking_recall": found / n,
        "candidates_mean": statistics.mean(sizes),
        "candidates_median": statistics.median(sizes),
        "candidates_max": max(sizes),
        "listings": len(listings),
        "ms_per_comparison": 1000 * elapsed / max(comparisons, 1),
        "ms_per_query": 1000 * elapsed / max(found, 1),
    }


def engine_checks(
    checks: list[tuple[bool, Kind, str, str]], threshold: float, verbose: bool
) -> dict[str, object]:
    results = []
    blocked = 0
    found_in_store = 0
    for match, kind, query, cand in checks:
        value = score(query, Facts(), [([cand], Facts())], kind)[0]
        results.append((match, value.score))
        shares_key = bool(name_keys(query, kind) & name_keys(cand, kind))
        if match and not shares_key:
            blocked += 1
        if match and shares_key and value.score >= threshold:
            found_in_store += 1
        if verbose and (value.score >= threshold) != match:
            print(f"  {'MISS' if match else 'FALSE'} {value.score:.2f} {query!r} | {cand!r}")
            print(f"       {'; '.join(value.reasons)}")
    true_total = sum(1 for m, _ in results if m)
    sweep = {}
    for t in (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9):
        sweep[f"{t:.2f}"] = {
            "found": sum(1 for m, s in results if m and s >= t),
            "false": sum(1 for m, s in results if not m and s >= t),
        }
    return {
        "threshold": threshold,
        "true": true_total,
        "false_pairs": len(results) - true_total,
        "found": sum(1 for m, s in results if m and s >= threshold),
        "false_hits": sum(1 for m, s in results if not m and s >= threshold),
        "true_pairs_sharing_no_blocking_key": blocked,
        "found_through_blocking": found_in_store,
        "sweep": sweep,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--threshold", type=float, default=0.70)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="print the checks got wrong")
    args = parser.parse_args()
    listings = load_un(args.data / "un-consolidated-2018-10-29.xml")
    checks = load_checks(args.data / "nomenklatura-checks.yml")
    report: dict[str, object] = {"un_baselines": {}}
    baselines: dict[str, object] = {}
    romanisers: dict[str, Callable[[str], str]] = {
        "anyascii + Jaro-Winkler": lambda s: anyascii(s).lower(),
    }
    try:
        from unidecode import unidecode

        romanisers["unidecode + Jaro-Winkler"] = lambda s: unidecode(s).lower()
    except ImportError:
        baselines["unidecode + Jaro-Winkler"] = "not installed (pip install Unidecode)"
    try:
        import icu  # type: ignore[import-not-found]

        any_latin = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")
        romanisers["ICU Any-Latin + Jaro-Winkler"] = lambda s: any_latin.transliterate(s).lower()
    except ImportError:
        pass
    for label, romanise in romanisers.items():
        baselines[label] = baseline(listings, romanise)
    report["un_baselines"] = baselines
    report["un_engine"] = engine_un(listings)
    report["checks"] = engine_checks(checks, args.threshold, args.verbose and not args.json)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print("UN list, original-script names against the Latin names of all listings")
    for label, figures in baselines.items():
        if isinstance(figures, dict):
            print(f"  {label:32} top-1 {figures['top1']:.3f}  top-5 {figures['top5']:.3f}")
        else:
            print(f"  {label:32} {figures}")
    un = report["un_engine"]
    assert isinstance(un, dict)
    print(f"  {'passerelle (blocking + score)':32} top-1 {un['top1']:.3f}  top-5 {un['top5']:.3f}")
    print(
        f"  blocking recall {un['blocking_recall']:.3f}; candidates per query mean "
        f"{un['candidates_mean']:.1f}, median {un['candidates_median']}, max "
        f"{un['candidates_max']} of {un['listings']} listings"
    )
    print(
        f"  {un['ms_per_comparison']:.3f} ms per name comparison, "
        f"{un['ms_per_query']:.1f} ms per query ({un['queries']} queries)"
    )
    ch = report["checks"]
    assert isinstance(ch, dict)
    print(f"checks.yml at threshold {ch['threshold']:.2f}:")
    print(
        f"  found {ch['found']}/{ch['true']} true matches, false hits {ch['false_hits']}"
        f"/{ch['false_pairs']}; true pairs sharing no blocking key: "
        f"{ch['true_pairs_sharing_no_blocking_key']}; found as the store finds them "
        f"(a shared blocking key, then the score): {ch['found_through_blocking']}"
    )
    sweep = ch["sweep"]
    assert isinstance(sweep, dict)
    print("  sweep: " + "  ".join(f"{t}: {v['found']}/{v['false']}" for t, v in sweep.items()))


if __name__ == "__main__":
    main()
