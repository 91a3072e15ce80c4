"""Rebuilding the press set's English texts from TEI tokens (bench/press_texts.py), on a
made-up document: the join rule, and which parts of a page are left out."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import press_texts  # noqa: E402  (bench/, put on the path above)

TEI = """<?xml version='1.0' encoding='utf8'?>
<text id="essai">
<head>
<s type="frag">
Harbour\tNNP\tHarbour
'\t``\t'
closed\tVBN\tclose
'\t''\t'
again\tRB\tagain
</s>
</head>
<p>
<s type="decl">
"\t``\t''
We\tPRP\twe
do\tVBP\tdo
n't\tRB\tnot
know\tVB\tknow
,\t,\t,
"\t''\t''
the\tDT\tthe
mayor\tNN\tmayor
's\tPOS\t's
aide\tNN\taide
said\tVBD\tsay
(\t-LRB-\t(
twice\tRB\ttwice
)\t-RRB-\t)
.\t.\t.
</s>
</p>
<figure>
<caption>
<s type="frag">
A\tDT\ta
quay\tNN\tquay
</s>
</caption>
</figure>
<s type="decl">
<hi rend="bold">
Pulled\tVBN\tpull
quote\tNN\tquote
</hi>
<p style="text-align:right">
—\t:\t—
Someone\tNN\tsomeone
</p>
</s>
<s type="decl">
It\tPRP\tit
cost\tVBD\tcost
$\tSYM\t$
5\tCD\t5
.\t.\t.
</s>
<s type="frag">
A\tDT\ta
quay\tNN\tquay
</s>
</text>
"""


def test_tokens_join_by_the_rule() -> None:
    joined = press_texts.join_tokens(["He", "said", ('"', "``"), "no", ".", ('"', "''")])
    assert joined == 'He said "no."'
    assert press_texts.join_tokens(["Rome", "-born", "100", "%", "(", "a", ")"]) == (
        "Rome-born 100% (a)"
    )
    # untagged straight quotes alternate
    assert press_texts.join_tokens(["a", '"', "b", '"', "c"]) == 'a "b" c'


def test_a_document_gives_title_paragraphs_and_standing_sentences() -> None:
    text = press_texts.text_of_tei(TEI)
    assert text == (
        "Harbour 'closed' again\n\"We don't know,\" the mayor's aide said (twice).\nIt cost $5.\n"
    )


def test_the_saved_form_reads_the_same() -> None:
    saved = (
        "<text>\n<head>\n<s>\nHarbour '`` closed ''' again\n</s>\n</head>\n<p>\n<s>\n"
        "\"`` We do n't know , \"'' the mayor 's aide said ( twice ) .\n</s>\n</p>\n</text>\n"
    )
    assert press_texts.text_of_tei(saved) == (
        "Harbour 'closed' again\n\"We don't know,\" the mayor's aide said (twice).\n"
    )
