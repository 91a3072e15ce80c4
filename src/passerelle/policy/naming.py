"""Names people give organisations, users and channels: one form, nothing hidden in them.

A name is NFKC-normalised (full-width and compatibility forms fold to one form) and
refused when it holds a control or invisible character (zero-width spaces, direction
marks, \\x01...) or when one word mixes scripts ("Atlas Service" written with a Cyrillic
"e" looks like the Latin one and is another name). Names differing only in case are one.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from passerelle.errors import BadInput

MAX_NAME: Final = 200
# Unicode categories that print nothing, or control how text prints.
_HIDDEN: Final = frozenset(("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"))
# Scripts that words commonly share: digits and punctuation belong to every script.
_ANY_SCRIPT: Final = frozenset(("COMMON",))
# Scripts one word may mix by the rules of its language (Japanese and Korean writing).
_ONE_WRITING: Final = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "HANGUL": "CJK"}


def checked_name(text: str, what: str) -> str:
    """Return a name in its one form, or refuse it with the reason (``what`` says which)."""
    name = " ".join(unicodedata.normalize("NFKC", text).split())
    if not name:
        raise BadInput(f"{what} must not be empty")
    if len(name) > MAX_NAME:
        raise BadInput(f"{what} is too long ({len(name)} characters; at most {MAX_NAME})")
    hidden = [c for c in name if unicodedata.category(c) in _HIDDEN]
    if hidden:
        raise BadInput(
            f"{what} {name[:80]!r} holds a control or invisible character "
            f"(U+{ord(hidden[0]):04X}): type it again"
        )
    for word in name.split():
        scripts = {s for c in word if (s := _script(c)) not in _ANY_SCRIPT}
        if len(scripts) > 1:
            raise BadInput(
                f"{what} {name[:80]!r}: the word {word[:40]!r} mixes scripts "
                f"({', '.join(sorted(s.title() for s in scripts))}), which makes look-alikes"
            )
    return name


def name_key(name: str) -> str:
    """Return the form two names are compared in: one name whatever its case."""
    return unicodedata.normalize("NFKC", name).casefold()


def _script(char: str) -> str:
    """The script of a letter, as the first word of its Unicode name (LATIN, CYRILLIC...);
    COMMON for digits, punctuation and symbols."""
    if not char.isalpha():
        return "COMMON"
    script = unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]
    return _ONE_WRITING.get(script, script)
