"""MISP's tags and distribution levels against Passerelle's handling rules, both ways.

The tables are docs/interop.md's; tests/interop hold the code to them.

MISP to Passerelle (import):

- ``tlp:clear`` (or ``tlp:white``), ``tlp:green``, ``tlp:amber``, ``tlp:amber+strict``,
  ``tlp:red`` become the TLP 2.0 marking of that level; ``PAP:CLEAR`` (``PAP:WHITE``),
  ``PAP:GREEN``, ``PAP:AMBER``, ``PAP:RED`` the PAP marking. An attribute's own tag
  applies to it; otherwise its object's, otherwise its event's. No TLP tag at all: the
  channel's default TLP applies, as for any unmarked object.
- Distribution 0 (your organisation only): imported only into a channel that no other
  organisation reads (nor their clients); 1 (this community only) and 4 (a sharing group)
  add handling code H2: the channel stands for the community or group, and nothing goes
  further without the producer's grant; 2 (connected communities) and 3 (all
  communities) add nothing; 5 (inherit) is its event's.

Passerelle to MISP (export): each attribute keeps its TLP and PAP as tags; the event's
distribution follows the most restrictive handling of what it holds (the rule of any
export): H2, TLP:AMBER+STRICT or TLP:AMBER give 0 (your organisation only: MISP cannot
say "and its declared clients"), TLP:GREEN gives 1 (this community only), TLP:CLEAR gives
3 (all communities). TLP:RED is never exported in bulk, so never reaches MISP.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from passerelle.stix.markings import Handling, HandlingCode, Pap, Tlp

ORGANISATION_ONLY: Final = 0
COMMUNITY_ONLY: Final = 1
ALL_COMMUNITIES: Final = 3
SHARING_GROUP: Final = 4
INHERIT: Final = 5

# Distributions whose reach the channel stands for: nothing goes further without a grant.
_KEPT_IN_CHANNEL: Final = (COMMUNITY_ONLY, SHARING_GROUP)

_TLP_TAGS: Final = {
    "tlp:clear": Tlp.CLEAR,
    "tlp:white": Tlp.CLEAR,
    "tlp:green": Tlp.GREEN,
    "tlp:amber": Tlp.AMBER,
    "tlp:amber+strict": Tlp.AMBER_STRICT,
    "tlp:red": Tlp.RED,
}
_PAP_TAGS: Final = {
    "pap:clear": Pap.CLEAR,
    "pap:white": Pap.CLEAR,
    "pap:green": Pap.GREEN,
    "pap:amber": Pap.AMBER,
    "pap:red": Pap.RED,
}


def tlp_tag(tlp: Tlp) -> str:
    """Return the MISP tag of a TLP level (``tlp:amber+strict``)."""
    return tlp.label.lower()


def pap_tag(pap: Pap) -> str:
    """Return the MISP tag of a PAP level (``PAP:GREEN``)."""
    return f"PAP:{pap.name}"


def tag_names(item: dict[str, Any]) -> list[str]:
    """Return the names of the tags a MISP event, object or attribute carries."""
    tags = item.get("Tag")
    if not isinstance(tags, list):
        return []
    return [t["name"] for t in tags if isinstance(t, dict) and isinstance(t.get("name"), str)]


def handling_of_tags(names: Iterable[str], inherited: Handling) -> Handling:
    """Return the handling MISP tags give, each level falling back to the inherited one."""
    tlps = [_TLP_TAGS[n.strip().lower()] for n in names if n.strip().lower() in _TLP_TAGS]
    paps = [_PAP_TAGS[n.strip().lower()] for n in names if n.strip().lower() in _PAP_TAGS]
    return Handling(
        tlp=max(tlps) if tlps else inherited.tlp,
        pap=max(paps) if paps else inherited.pap,
        codes=inherited.codes,
    )


def distribution_of(item: dict[str, Any], inherited: int) -> int:
    """Return a MISP item's distribution level (0-4), inheriting for 5 or none."""
    value = item.get("distribution")
    try:
        level = int(value) if value is not None else INHERIT
    except (TypeError, ValueError):
        level = INHERIT
    return inherited if level not in range(INHERIT) else level


def with_distribution(handling: Handling, distribution: int) -> Handling:
    """Add to a handling what a MISP distribution level asks (H2 for 1 and 4)."""
    if distribution in _KEPT_IN_CHANNEL:
        return Handling(handling.tlp, handling.pap, handling.codes | HandlingCode.H2)
    return handling


def export_distribution(handling: Handling) -> int:
    """Return the MISP distribution level for content of this (most restrictive) handling."""
    if HandlingCode.H2 in handling.codes or handling.tlp is None or handling.tlp >= Tlp.AMBER:
        return ORGANISATION_ONLY
    return COMMUNITY_ONLY if handling.tlp is Tlp.GREEN else ALL_COMMUNITIES
