"""Rebuild the press set's texts (eval/press) outside the repository, checked by sha256.

    .venv/bin/python bench/press_texts.py --data ../shared/data/press \\
        [--mirrors /work/.mirror] [--xml ../shared/data/press-src/en] [--lang en]

The texts are Wikinews articles (CC BY 2.5) kept beside the checkout, never in it
(docs/intake-corpus.md, "The set"). Each article's JSON names its source (repository,
commit, path) and its text's file and sha256. This writes every text it can rebuild:

- French (WiNER-fr) and Russian (NEREL): the file at the commit, unchanged, read with
  ``git show`` from a git mirror of the repository (``{mirrors}/{owner}+{name}/repo``,
  where the search tool's ``fetch`` leaves them);
- English (AMALGUM): its TEI tokens joined into text (:func:`text_of_tei`) from the
  XML saved under ``--xml`` by its file name (the repository is too large to mirror).

A text whose sha256 differs from the JSON's is not written (the difference is reported);
the exit status is 1 when any text could not be rebuilt.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Final

ROOT = Path(__file__).resolve().parents[1]

# TEI to text ------------------------------------------------------------------------------

_TAG: Final = re.compile(r"^<(/?)([a-zA-Z]+)((?:\s[^>]*)?)/?>$")
_ATTACH_BEFORE: Final = frozenset({",", ".", ";", ":", "?", "!", ")", "]", "%", "'", "\u2019"})
_ATTACH_AFTER: Final = frozenset({"(", "[", "$", "\u00a3", "\u20ac"})
_CLITIC: Final = re.compile(r"^(?:['\u2019][a-zA-Z]+|n't|n\u2019t|-[a-z]+)$")
_LEFT_OUT: Final = frozenset({"figure", "caption", "note"})
_HAVE_YOUR_SAY: Final = "HAVE YOUR SAY"


def join_tokens(tokens: list[str | tuple[str, str]]) -> str:
    """Join one line's tokens by the set's rule (docs/intake-corpus.md, "The set").

    One space between tokens, except that closing punctuation and clitics ('s, n't,
    -born) attach to the token before, opening brackets and currency signs to the token
    after. A straight double quote opens (attached to the next token) or closes
    (attached to the one before) as its part-of-speech tag says (two backquotes, or two
    apostrophes); with no tag, straight quotes alternate; one that starts its line
    opens. Typographic quotes go by their shape. A token is a string or (token, tag).
    """
    out = ""
    glue_next = True  # at the start of a line, or after an opening mark
    opened = False
    for item in tokens:
        token, tag = item if isinstance(item, tuple) else (item, "")
        if token == '"':
            tagged = tag == "``" if tag in ("``", "''") else not opened
            opened = not out or tagged  # nothing before it on the line: it opens
            kind = "open" if opened else "close"
        elif (token == "'" and tag == "``") or token in ("\u201c", "\u2018", *_ATTACH_AFTER):
            kind = "open"  # (a single quote opens when the tagger read it so)
        elif token in ("\u201d", *_ATTACH_BEFORE) or _CLITIC.match(token):
            kind = "close"
        else:
            kind = "word"
        if kind == "close" or glue_next:
            out += token
        else:
            out += " " + token
        glue_next = kind == "open"
    return out


def text_of_tei(xml: str) -> str:
    """Return an AMALGUM TEI document's text: its title line, then one line per unit.

    The file has one tag or one token (word, then tab-separated tags) per line; in the
    saved form (docs/intake-corpus.md), a token line may hold several tokens. A unit
    is the ``<head>``, a ``<p>``, a list ``<item>``, or a sentence standing outside all
    of these; figures and their captions are left out, and so are paragraphs set in
    bold outside any paragraph (pull quotes), right-aligned paragraphs (their
    attribution), the "HAVE YOUR SAY" box (up to the next paragraph), and sentences
    outside any paragraph that repeat the words of a caption.
    """
    lines: list[str] = []
    stack: list[tuple[str, str]] = []
    unit: list[str | tuple[str, str]] | None = None
    skip = 0
    box = False
    captions = ""  # the words of every part left out, to know a caption repeated
    for raw in xml.splitlines():
        line = raw.strip()
        if not line or line.startswith("<?"):
            continue
        tag = _TAG.match(line) if line.startswith("<") and "\t" not in line else None
        if tag is None:
            if unit is not None and not skip:
                unit += _tokens(line)
            elif skip:
                captions += " " + " ".join(t if isinstance(t, str) else t[0] for t in _tokens(line))
            continue
        closing, name, attributes = tag.group(1) == "/", tag.group(2), tag.group(3)
        if closing:
            while stack:
                opened, _attrs = stack.pop()
                if opened in _LEFT_OUT:
                    skip -= 1
                if opened == name or (opened == "note" and name in ("p", "hi")):
                    break
            if name in ("head", "p", "item") or (name == "s" and _standalone(stack)):
                words = " ".join(t if isinstance(t, str) else t[0] for t in unit or [])
                if words == _HAVE_YOUR_SAY:
                    box = True  # the comments box: its sentences stand until the next <p>
                elif name == "s" and words and words in captions:
                    pass  # a caption repeated outside its figure
                elif unit and not (box and name == "s"):
                    lines.append(join_tokens(unit))
                unit = None
            continue
        if name == "hi" and "bold" in attributes and not unit and _standalone(stack):
            name = "note"  # a sentence set in bold outside any paragraph: a pull quote
            unit = None
        box = box and name != "p"
        stack.append((name, attributes))
        if name in _LEFT_OUT or (name == "p" and "right" in attributes):
            stack[-1] = ("note", attributes)  # figures, pull quotes, their attribution
            skip += 1
        elif name in ("head", "p", "item") or (name == "s" and unit is None and not skip):
            unit = []
    return "\n".join(lines) + "\n"


def _tokens(line: str) -> list[str | tuple[str, str]]:
    """Return a token line's tokens: one TEI token (word, then tags), or the saved form's
    several, separated by spaces, a straight quote's tag glued after it."""
    if "\t" in line:
        columns = line.split("\t")
        return [(columns[0], columns[1])]
    return [_quote_tag(token) for token in line.split(" ")]


def _quote_tag(token: str) -> str | tuple[str, str]:
    if token[:1] in ("'", '"') and token[1:] in ("``", "''"):
        return (token[0], token[1:])
    return token


# Where the annotated text departs from the join rule, as the article's JSON notes say:
# (the rebuilt words, the annotated ones). Applied once each, checked to apply.
DEPARTURES: Final = {
    "AMALGUM_news_bin": [
        # the stray closing mark before Rasmussen's words read as their opening mark
        ('bin Laden." As terrorism', 'bin Laden. "As terrorism'),
    ],
    "AMALGUM_news_bomb": [
        # the stray closing mark (tagged so) read as the next quotation's opening mark
        ('stop the bomber." Three', 'stop the bomber. "Three'),
        # "an security guard" in the tokens, "a security guard" in the annotated text
        ("claimed that an security", "claimed that a security"),
    ],
    "AMALGUM_news_binyam": [
        # two marks tagged closing that the annotated text reads as opening
        ('interviews," as part', 'interviews, "as part'),
        ('detrimental;" [i]t', 'detrimental; "[i]t'),
    ],
}


def _standalone(stack: list[tuple[str, str]]) -> bool:
    return not any(name in ("head", "p", "item") for name, _attrs in stack)


# Rebuilding -------------------------------------------------------------------------------


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=ROOT / "eval" / "press", help="the set")
    parser.add_argument("--data", type=Path, required=True, help="where the texts go")
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"), help="git mirrors")
    parser.add_argument(
        "--xml", type=Path, help="AMALGUM XML files (default: DATA/../press-src/en)"
    )
    parser.add_argument("--lang", choices=("fr", "en", "ru"), help="one language only")
    return parser.parse_args()


def source_text(gold: dict[str, object], mirrors: Path, xml: Path) -> bytes:
    """Return the text's bytes as rebuilt from its source (OSError when unavailable)."""
    source = gold["source"]
    assert isinstance(source, dict)
    if source["corpus"] == "AMALGUM":
        name = Path(source["path"]).name
        text = text_of_tei((xml / name).read_text(encoding="utf-8"))
        for rebuilt, annotated in DEPARTURES.get(name.removesuffix(".xml"), []):
            if text.count(rebuilt) != 1:
                raise OSError(f"departure {rebuilt!r} not found once")
            text = text.replace(rebuilt, annotated)
        return text.encode("utf-8")
    git_dir = mirrors / source["repository"].replace("/", "+") / "repo"
    shown = subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"{source['commit']}:{source['path']}"],
        capture_output=True,
        check=False,
    )
    if shown.returncode != 0:
        raise OSError(shown.stderr.decode("utf-8", "replace").strip().splitlines()[-1])
    return shown.stdout


def readme(root: Path) -> str:
    """Return the data directory's README: where each text comes from, and its licence."""
    rows = {}
    for path in sorted(root.glob("*/*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        source = gold["source"]
        rows[gold["text"]["file"]] = (
            f"| {gold['text']['file']} | {source['repository']} | {source['commit'][:10]} "
            f"| {source['path']} | {source['url']} | {gold['published']} |"
        )
    return "\n".join(
        [
            "# Press texts (Passerelle's eval/press set)",
            "",
            "Wikinews articles, licensed CC BY 2.5 (Wikinews contributors, attributed by the",
            "URL of each article below). Written by `bench/press_texts.py` of the Passerelle",
            "repository, which checks each text against the sha256 of its eval/press file.",
            "",
            "| file | source repository | commit | path | Wikinews URL | published |",
            "|---|---|---|---|---|---|",
            *rows.values(),
            "",
        ]
    )


def main() -> int:
    """Rebuild every text the set names; report each one not rebuilt."""
    args = _arguments()
    xml = args.xml or args.data.parent / "press-src" / "en"
    done, problems = {}, []
    for path in sorted(args.eval.glob("*/*.json")) + sorted(args.eval.glob("second/*/*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        if args.lang and gold["language"] != args.lang:
            continue
        name = gold["text"]["file"]
        if name in done:
            if done[name] != gold["text"]["sha256"]:
                problems.append(f"{path.name}: {name} has two sha256 in the set")
            continue
        try:
            raw = source_text(gold, args.mirrors, xml)
        except OSError as error:
            problems.append(f"{name}: not rebuilt ({error})")
            continue
        digest = hashlib.sha256(raw).hexdigest()
        if digest != gold["text"]["sha256"]:
            problems.append(
                f"{name}: sha256 {digest[:12]}, the set says {gold['text']['sha256'][:12]}"
            )
            continue
        target = args.data / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw)
        done[name] = digest
    (args.data / "README.md").write_text(readme(args.eval), encoding="utf-8")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(done)} texts written to {args.data}, sha256 checked; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
