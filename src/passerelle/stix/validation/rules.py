"""Cross-property rules: each takes the object, returns None or a Problem."""

from __future__ import annotations

from passerelle.stix.validation.values import _SELECTOR_INDEX_RE, Problem, Rule, _instant, _show


def _not_before(earlier: str, later: str, *, strictly: bool = False) -> Rule:
    """`later` (a timestamp) must not precede `earlier` (or must follow it)."""
    relation = "later than" if strictly else "later than or equal to"

    def rule(obj: dict[str, object]) -> Problem | None:
        start = obj.get(earlier)
        end = obj.get(later)
        if type(start) is str and type(end) is str:
            # Valid timestamps of equal length have the same layout.
            first, last = (
                (start, end) if len(start) == len(end) else (_instant(start), _instant(end))
            )
            if last < first or (strictly and last == first):
                return (later, f"must be {relation} '{earlier}'")
        return None

    return rule


def _at_least_one(*names: str) -> Rule:
    listed = ", ".join(f"'{name}'" for name in names)

    def rule(obj: dict[str, object]) -> Problem | None:
        for name in names:
            if name in obj:
                return None
        return ("", f"needs at least one of {listed}")

    return rule


def _exactly_one(first: str, second: str) -> Rule:
    def rule(obj: dict[str, object]) -> Problem | None:
        if (first in obj) == (second in obj):
            return ("", f"needs exactly one of '{first}' and '{second}'")
        return None

    return rule


def _requires(present: str, needed: str) -> Rule:
    def rule(obj: dict[str, object]) -> Problem | None:
        if present in obj and needed not in obj:
            return (needed, f"is required when '{present}' is present")
        return None

    return rule


def _selects(obj: dict[str, object], selector: str) -> bool:
    """Whether a granular-marking selector names something present in `obj`."""
    node: object = obj
    for step in selector.split("."):
        index = _SELECTOR_INDEX_RE.fullmatch(step)
        if index is not None:
            position = int(index.group(1))
            if type(node) is not list or position >= len(node):
                return False
            node = node[position]
        elif type(node) is dict and step in node:
            node = node[step]
        else:
            return False
    return True


def _granular_selectors(obj: dict[str, object]) -> Problem | None:
    """Section 7.2.3.1: every selector must select something in the object."""
    markings = obj.get("granular_markings")
    if type(markings) is not list:
        return None
    for index, marking in enumerate(markings):
        assert type(marking) is dict
        selectors = marking["selectors"]
        assert type(selectors) is list
        for position, selector in enumerate(selectors):
            assert type(selector) is str
            if not _selects(obj, selector):
                path = f"granular_markings[{index}].selectors[{position}]"
                return (path, f"selects nothing in this object ({_show(selector)})")
    return None
