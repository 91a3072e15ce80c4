"""Fast checker for STIX 2.1 patterns (``pattern_type == "stix"``).

The grammar is the one of STIX 2.1 section 9 ("STIX Patterning",
https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html), as written in
the ANTLR grammar (STIXPattern.g4) of the OASIS ``stix2-patterns`` validator.

The implementation is a tokenizer (one compiled regular expression) followed
by a recursive-descent parser; only the verdict matters, so no tree is built.
A whole comparison (``file:hashes.MD5 = '...'``, a ``propTest`` without
parentheses) is a single token: that sub-language is regular, and matching it
at once is several times faster than token by token.  Inside it every lexical
token is matched "possessively" (atomic groups, ``*+``), which reproduces the
ANTLR lexer's longest-match rule, e.g. ``aIN`` is one identifier, ``1.5`` one
float, ``//`` comments run to the end of the line.  Two shapes are recognised
by a single regular expression before any tokenizing: one comparison in one
observation (the most common), and patterns without parentheses, with at most
one qualifier per observation and no ``hashes`` path.  Verdicts of short patterns
are cached (``functools.lru_cache``, bounded in size).  Precedence between
AND/OR/FOLLOWEDBY shapes the parse tree, not validity, so the parser handles each
level as one flat list.

Beyond the grammar, ``stix2patterns.validator.run_validator`` (the reference)
also rejects, and so does this module:

* a pattern whose first character other than ``(`` and white space is not ``[``
  (so a leading comment is rejected even though the grammar skips comments);
* a chain of qualifiers applied directly to one ``[...]`` observation that
  repeats a qualifier kind (``WITHIN`` twice, ...).  Qualifiers applied to a
  parenthesised observation expression are not checked, exactly as in the
  reference;
* a comparison whose object path contains the component ``hashes`` and ends
  with a hash algorithm name the reference knows (``MD5``, ``SHA-256``, ...,
  case-insensitive, hyphens ignored), when the literal compared (its source
  text with every ``'`` removed) is not a plausible hash value for that
  algorithm.  This applies to every operator (even ``LIKE`` and ``MATCHES``)
  and makes ``IN`` on such a path always invalid, as in the reference;
* object paths the reference crashes on (a negative list index anywhere, or a
  path containing ``hashes`` that ends with a list index): rejected.

Nesting deeper than ``MAX_NESTING`` parentheses and brackets is rejected to
bound recursion on hostile input (the reference accepts up to ~250 levels).
"""

from __future__ import annotations

import functools
import re
from typing import Final

__all__ = ["MAX_NESTING", "InvalidPattern", "check_pattern"]

MAX_NESTING: Final = 100
_MAX_SHOWN: Final = 40


class InvalidPattern(ValueError):
    """A string that is not a valid STIX 2.1 pattern; the message is one line."""


_WS: Final = (
    "[ \\t\\r\\n\\x0b\\x0c\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
)
# White space and comments, skipped between tokens like the ANTLR lexer does.
_S: Final = rf"(?:{_WS}++|(?>/\*.*?\*/)|//[^\r\n]*+)*+"
# Every word-like token must be maximal ("longest match"): nothing that could
# continue an identifier may follow it.
_END: Final = r"(?![A-Za-z0-9_-])"
_KEYWORD: Final = (
    "(?:AND|OR|NOT|FOLLOWEDBY|LIKE|MATCHES|ISSUPERSET|ISSUBSET|EXISTS|LAST|IN"
    f"|START|STOP|SECONDS|WITHIN|REPEATS|TIMES|true|false){_END}"
)
_STRING: Final = r"'[^'\\]*+(?:\\['\\][^'\\]*+)*+'"
_B64: Final = "[A-Za-z0-9+/]"
_TIMESTAMP: Final = (
    r"t'[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]+)?Z'"
)
_ORDERABLE: Final = (
    f"(?:{_STRING}|{_TIMESTAMP}"
    r"|h'(?:[0-9A-Fa-f]{2})*+'"
    rf"|b'(?:{_B64}{{4}})*(?:{_B64}{{4}}|{_B64}{{3}}=|{_B64}{{2}}==)'"
    # a float when possible, else an integer: the longer token wins
    r"|(?>[-+]?[0-9]*+\.[0-9]++|[-+]?(?:0|[1-9][0-9]*+)))"
)
_PRIMITIVE: Final = f"(?:{_ORDERABLE}|(?:true|false){_END})"
_POSITIVE: Final = r"(?>\+?[0-9]*+\.[0-9]++|\+?(?:0|[1-9][0-9]*+))"
_TYPE: Final = f"(?!{_KEYWORD})[A-Za-z_][A-Za-z0-9_-]*+"
_KEY: Final = f"(?:(?!{_KEYWORD})[A-Za-z_][A-Za-z0-9_]*+{_END}|{_STRING})"
# A negative list index is grammatical but crashes the reference validator.
_INDEX: Final = rf"\[{_S}(?:\*|\+?(?:0|[1-9][0-9]*+)){_S}\]"
_PATH: Final = rf"{_TYPE}{_S}:{_S}{_KEY}(?:{_S}(?:\.{_S}{_KEY}|{_INDEX}))*"
_SET: Final = rf"\({_S}(?:{_PRIMITIVE}(?:{_S},{_S}{_PRIMITIVE})*{_S})?\)"

# `propTest` without parentheses.  Its sub-language is regular, so a whole
# comparison is matched by one regular expression (much faster than handling
# it token by token); the named groups give what the hash check needs.
_COMPARISON: Final = (
    f"(?:NOT{_END}{_S})?EXISTS{_END}{_S}{_PATH}"
    f"|(?P<path>{_PATH}){_S}(?:NOT{_END}{_S})?(?:"
    f"(?:==?|!=|<>){_S}(?P<eq>{_PRIMITIVE})"
    f"|(?:<=|>=|<|>){_S}(?P<order>{_ORDERABLE})"
    f"|IN{_END}{_S}(?P<set>{_SET})"
    f"|(?:LIKE|MATCHES|ISSUBSET|ISSUPERSET){_END}{_S}(?P<string>{_STRING})"
    ")"
)
_QUALIFIERS: Final = {
    "START": f"START{_END}{_S}{_TIMESTAMP}{_S}STOP{_END}{_S}{_TIMESTAMP}",
    "WITHIN": f"WITHIN{_END}{_S}{_POSITIVE}{_S}SECONDS{_END}",
    "REPEATS": f"REPEATS{_END}{_S}\\+?(?:0|[1-9][0-9]*+){_S}TIMES{_END}",
}
# The regular expressions are compiled on first use (some are large: compiling them all
# cost ~100 ms), so importing the write path does not slow a command that only reads.
_PLAIN_COMPARISON: Final = re.sub(r"\(\?P<[a-z]+>", "(?:", _COMPARISON)
_PLAIN_OBSERVATION: Final = (
    rf"\[{_S}(?>{_PLAIN_COMPARISON})(?:{_S}(?:AND|OR){_END}{_S}(?>{_PLAIN_COMPARISON}))*{_S}\]"
    f"(?:{_S}(?:{'|'.join(_QUALIFIERS.values())}))?"
)


@functools.cache
def _token_re() -> re.Pattern[str]:
    """The tokens handed to the parser; the group name is the token kind."""
    return re.compile(
        f"{_S}(?:"
        r"(?P<EOF>\Z)"
        r"|(?P<LB>\[)|(?P<RB>\])|(?P<LP>\()|(?P<RP>\))"
        f"|(?P<AND>AND{_END})|(?P<OR>OR{_END})|(?P<FOLLOWEDBY>FOLLOWEDBY{_END})"
        f"|(?P<COMP>{_COMPARISON})"
        + "".join(f"|(?P<{kind}>{regex})" for kind, regex in _QUALIFIERS.items())
        + r"|(?P<WORD>[A-Za-z_][A-Za-z0-9_-]*)"
        r"|(?P<BAD>.)"
        ")",
        re.DOTALL,
    )


@functools.cache
def _single_re() -> re.Pattern[str]:
    """Fast path for the most common shape, one comparison in one observation."""
    return re.compile(rf"{_WS}*+\[{_S}(?>{_COMPARISON}){_S}\]{_S}\Z", re.DOTALL)


@functools.cache
def _flat_re() -> re.Pattern[str]:
    """Fast path for patterns without parentheses and with at most one qualifier per
    observation (so no repeated qualifier).  It is only trusted for patterns that do not
    contain "hashes": it cannot tell the hash check which values to test."""
    return re.compile(
        rf"{_WS}*+{_PLAIN_OBSERVATION}"
        rf"(?:{_S}(?:AND|OR|FOLLOWEDBY){_END}{_S}{_PLAIN_OBSERVATION})*{_S}\Z",
        re.DOTALL,
    )


@functools.cache
def _simple_hash_path_re() -> re.Pattern[str]:
    """`type:hashes.NAME` without spaces or comments, the usual hash path."""
    return re.compile(
        r"[A-Za-z_][A-Za-z0-9_-]*:hashes\.(?:(?P<key>[A-Za-z_][A-Za-z0-9_]*)"
        r"|(?P<quoted>'[^'\\]*+(?:\\['\\][^'\\]*+)*+'))"
    )


@functools.cache
def _path_step_re() -> re.Pattern[str]:
    """One step of an object path: a key, a quoted key or a list index."""
    return re.compile(
        rf"{_S}(?:[.:]{_S})?(?:(?P<key>[A-Za-z_][A-Za-z0-9_-]*)|(?P<quoted>{_STRING})"
        rf"|\[{_S}(?P<index>[^\]\s/]+){_S}\])"
    )


_QUALIFIER_BIT: Final = {"START": 1, "WITHIN": 2, "REPEATS": 4}
_OBSERVATION_OPERATORS: Final = frozenset(("AND", "OR", "FOLLOWEDBY"))
_COMPARISON_OPERATORS: Final = frozenset(("AND", "OR"))

_HEX: Final = "[a-fA-F0-9]"
# What the reference accepts as a hash value, keyed by the algorithm name
# upper-cased with '-' and "'" removed.  `re.match` + `$` semantics as there
# (a single trailing newline is tolerated); MD6's unanchored alternation in the
# reference means "starts with 32 hex digits".
_HASH_VALUE: Final = {
    "MD5": f"{_HEX}{{32}}$",
    "MD6": f"{_HEX}{{32}}|\\n    {_HEX}{{64}}",
    "RIPEMD160": f"{_HEX}{{40}}$",
    "SHA1": f"{_HEX}{{40}}$",
    "SHA224": f"{_HEX}{{56}}$",
    "SHA256": f"{_HEX}{{64}}$",
    "SHA384": f"{_HEX}{{96}}$",
    "SHA512": f"{_HEX}{{128}}$",
    "SHA3224": f"{_HEX}{{56}}$",
    "SHA3256": f"{_HEX}{{64}}$",
    "SHA3384": f"{_HEX}{{96}}$",
    "SHA3512": f"{_HEX}{{128}}$",
    "SSDEEP": "[a-zA-Z0-9/+:.]{1,128}$",
    "WHIRLPOOL": f"{_HEX}{{128}}$",
}


@functools.cache
def _hash_value_res() -> dict[str, re.Pattern[str]]:
    """The compiled rules for hash values, by algorithm name."""
    return {name: re.compile(regex) for name, regex in _HASH_VALUE.items()}


class _Reject(Exception):
    """Internal: carries the token at fault and what was expected there."""

    def __init__(self, token: re.Match[str], expected: str) -> None:
        super().__init__(expected)
        self.token = token
        self.expected = expected


def _unquote(literal: str) -> str:
    """Content of a StringLiteral, unescaped the way the reference does it."""
    return literal[1:-1].replace("\\'", "'").replace("\\\\", "\\")


@functools.lru_cache(maxsize=4096)
def _hash_rule(path: str) -> tuple[str, re.Pattern[str] | None] | None:
    """How the reference checks values compared with `path`, if it does.

    None: no check.  (name, regex): the value must match.  (reason, None): the
    reference crashes on this path (a numeric index after 'hashes').
    """
    simple = _simple_hash_path_re().fullmatch(path)
    if simple is not None:
        selector = simple["key"] or _unquote(simple["quoted"])
    else:
        steps = list(_path_step_re().finditer(path))[1:]  # [0] is the object type
        components = [_unquote(s["quoted"]) if s["quoted"] else s["key"] for s in steps]
        if "hashes" not in components:
            return None
        index = steps[-1]["index"]
        if index == "*":
            return None
        if index is not None:
            return ("a hash algorithm name after 'hashes'", None)
        selector = components[-1]
    regex = _hash_value_res().get(selector.upper().replace("-", "").replace("'", ""))
    return None if regex is None else (selector[:_MAX_SHOWN], regex)


def _hash_error(comparison: re.Match[str]) -> str | None:
    """The reference's hash-value check for a comparison whose path has 'hashes'."""
    rule = _hash_rule(comparison["path"])
    if rule is None:
        return None
    name, regex = rule
    if regex is None:
        return name
    literal = comparison["eq"] or comparison["order"] or comparison["string"]
    if literal is None or not regex.match(literal.replace("'", "")):
        return f"a valid {name!r} hash value"
    return None


class _Parser:
    """Recursive descent, pulling tokens one at a time (so that a hostile input
    costs nothing beyond its first error); raises `_Reject` on error."""

    __slots__ = ("depth", "kind", "token", "tokens")

    def __init__(self, text: str) -> None:
        self.tokens = _token_re().finditer(text)
        self.depth = 0
        self.advance()

    def advance(self) -> None:
        # The tokenizer always ends with an EOF token; stay on it.
        token = next(self.tokens, None)
        if token is not None:
            self.token = token
            self.kind = token.lastgroup or "EOF"

    def expect(self, kind: str, expected: str) -> None:
        if self.kind != kind:
            raise _Reject(self.token, expected)
        self.advance()

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise _Reject(self.token, f"at most {MAX_NESTING} nested parentheses and brackets")

    # pattern := observationExpressions EOF
    def pattern(self) -> None:
        self.observations()
        self.expect("EOF", "end of pattern")

    # observationExpressions: observations joined by AND, OR, FOLLOWEDBY.  Their
    # precedence shapes the tree, not which strings are valid, so one loop does.
    def observations(self) -> None:
        self.observation()
        while self.kind in _OBSERVATION_OPERATORS:
            self.advance()
            self.observation()

    # observationExpression := ('[' comparisons ']' | '(' observations ')') qualifier*
    def observation(self) -> None:
        kind = self.kind
        if kind == "LB":
            self.enter()
            self.advance()
            self.comparisons()
            self.expect("RB", "']'")
        elif kind == "LP":
            self.enter()
            self.advance()
            self.observations()
            self.expect("RP", "')'")
        else:
            raise _Reject(self.token, "'[' or '('")
        self.depth -= 1
        seen = 0
        while (bit := _QUALIFIER_BIT.get(self.kind, 0)) != 0:
            # The reference refuses a repeated qualifier kind only directly
            # after a `[...]` observation.
            if kind == "LB" and seen & bit:
                raise _Reject(self.token, "no repeated qualifier on one observation")
            seen |= bit
            self.advance()

    # comparisonExpression: propTests joined by AND and OR (same remark).
    def comparisons(self) -> None:
        while True:
            if self.kind == "COMP":
                comparison = self.token
                path = comparison["path"]
                if path is not None and "hashes" in path:
                    error = _hash_error(comparison)
                    if error is not None:
                        raise _Reject(comparison, error)
                self.advance()
            elif self.kind == "LP":
                self.enter()
                self.advance()
                self.comparisons()
                self.expect("RP", "')'")
                self.depth -= 1
            else:
                raise _Reject(self.token, "a comparison")
            if self.kind not in _COMPARISON_OPERATORS:
                return
            self.advance()


def _describe(token: re.Match[str]) -> str:
    kind = token.lastgroup or "EOF"
    if kind == "EOF":
        return "end of pattern"
    text = token[kind]
    shown = text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "..."
    return f"{shown!r} at offset {token.start(kind)}"


def _brackets_first(text: str) -> bool:
    """The reference's extra rule: after any '(' and white space comes '['."""
    for char in text:
        if char != "(" and not char.isspace():
            return char == "["
    return False


# Verdicts are cached for patterns up to this length only: the cache then holds at most
# _CACHED * _CACHE_ENTRIES characters, whatever hostile patterns arrive.
_CACHED = 512
_CACHE_ENTRIES = 16384


@functools.lru_cache(maxsize=_CACHE_ENTRIES)
def _cached_verdict(text: str) -> str | None:
    return _verdict(text)


def _verdict(text: str) -> str | None:
    """Why `text` is not a valid pattern, or None when it is one."""
    single = _single_re().match(text)
    if single is not None:
        path = single["path"]
        error = _hash_error(single) if path is not None and "hashes" in path else None
        return None if error is None else f"invalid comparison, expected {error}"
    if "hashes" not in text and _flat_re().match(text) is not None:
        return None
    if not _brackets_first(text):
        return "pattern must start with '[' (after optional '(')"
    try:
        _Parser(text).pattern()
    except _Reject as rejected:
        return f"unexpected {_describe(rejected.token)}, expected {rejected.expected}"
    return None


def check_pattern(text: str) -> None:
    """Raise InvalidPattern (one-line reason) unless `text` is a valid STIX 2.1 pattern."""
    if not isinstance(text, str):
        raise InvalidPattern("pattern is not a string")
    reason = _cached_verdict(text) if len(text) <= _CACHED else _verdict(text)
    if reason is not None:
        raise InvalidPattern(reason)
