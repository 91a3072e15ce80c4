"""Length-preserving typography normalisation of press text.

Each character maps to exactly one character, so an offset into the normalised text is
the same offset into the article text: curly apostrophes become ``'`` (the French models
split ``l\u2019Élysée`` badly and make false entities of it), no-break and thin spaces become
plain spaces; guillemets and curly double quotes are kept, as the quotation finder reads
them.

A paragraph that ends without a stop (a title line, a subheading) gets one in place of
the first of the two line breaks after it, so that the models do not read it and the next
paragraph as one sentence.
"""

from __future__ import annotations

import re
from typing import Final

_MAP: Final = str.maketrans(
    {
        "\u2019": "'",  # right single quotation mark, the usual French apostrophe
        "\u2018": "'",
        "\u02bc": "'",  # modifier letter apostrophe
        "\u2032": "'",  # prime, sometimes typed for an apostrophe
        "\u00b4": "'",  # acute accent, likewise
        "\u00a0": " ",  # no-break space (before : ; ! ? » and after «)
        "\u202f": " ",  # narrow no-break space
        "\u2009": " ",  # thin space
        "\u2007": " ",  # figure space
        "\u2002": " ",
        "\u2003": " ",
        "\u2011": "-",  # non-breaking hyphen
        "\u2010": "-",
    }
)


# The end of a paragraph without a stop, before a blank line.
_UNSTOPPED: Final = re.compile(r"(?<=[\w)\]])\n(?=[ \t]*\n)")


def normalise(text: str) -> str:
    """Return the text with apostrophes and spaces made plain, one character for one, and
    a stop at the end of a paragraph that has none."""
    return _UNSTOPPED.sub(".", text.translate(_MAP))
