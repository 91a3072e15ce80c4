"""The one place where a node's parts are put together: its key rules, and the features
that subscribe to its object writes. ``create_app`` and the command line both use it.

In-transaction listeners run in this order: watch hits, correlation keys, entity links,
the federation outbox, the retractions owed to peers, then the exchange loop across nodes
(announcing tips to peers, opening the tips they announce, applying their feedback).
On removal from a channel: the erasures owed to peers.
After the commit: watch hits are reported to the partners whose tips started the watches.
A serving node's notification delivery loop rings on every commit too: ``create_app``
subscribes it when it starts the loop.

The features are imported by the functions that wire them, not with this module: a
command that only reads (and keys nothing by name) then loads none of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from passerelle.keys.rules import KeyRules
from passerelle.settings import Settings

if TYPE_CHECKING:
    from pathlib import Path

    from passerelle.keys.names import NameMatcher
    from passerelle.objects.hooks import Hooks


def key_rules(settings: Settings, *, names_on_first_use: bool = False) -> KeyRules:
    """Return the node's key rules: its phone region, and names matched through entity
    resolution and its alias files (a malformed alias file fails here, at start-up; with
    ``names_on_first_use``, when a name is first keyed, as a command that may key none
    prefers)."""
    from passerelle.resolution import alias_dirs

    dirs = alias_dirs(settings.aliases_dir)
    names = _NamesOnFirstUse(dirs)
    return KeyRules(settings.phone_region, names if names_on_first_use else names.load(), dirs)


class _NamesOnFirstUse:
    """Entity resolution's name matcher over the alias files of DIRS, made (the name engine
    imported, the files read) when it is loaded or first keys a name."""

    def __init__(self, dirs: tuple[Path, ...]) -> None:
        self._dirs = dirs
        self._names: NameMatcher | None = None

    def load(self) -> NameMatcher:
        """Make the matcher, once."""
        if self._names is None:
            from passerelle.resolution import ResolvingNames, load_alias_data

            self._names = ResolvingNames(load_alias_data(self._dirs))
        return self._names

    def keys(self, name: str, kind: str) -> set[str]:
        """Return the keys of a name (see :class:`passerelle.keys.names.NameMatcher`)."""
        return self.load().keys(name, kind)


def subscribe_features(keys: KeyRules) -> Hooks:
    """Return the listeners of a node's object writes, each feature subscribed once."""
    from passerelle.correlation import CorrelationIndex
    from passerelle.exchange.watches import WatchHits, report_hits
    from passerelle.federation import (
        announce_tips,
        apply_arriving_feedback,
        open_arriving_tips,
        queue_erasures,
        queue_new_versions,
        queue_pushed_versions,
    )
    from passerelle.objects.hooks import Hooks
    from passerelle.objects.search_index import drop_unplaced, index_words
    from passerelle.resolution import EntityLinking, load_alias_data

    hooks = Hooks()
    hooks.on_stored(index_words)
    hooks.on_stored(WatchHits(keys))
    hooks.on_stored(CorrelationIndex(keys.phone_region))
    hooks.on_stored(EntityLinking(load_alias_data(keys.alias_dirs)))
    hooks.on_stored(queue_pushed_versions)
    hooks.on_stored(queue_new_versions)
    hooks.on_stored(announce_tips)
    hooks.on_stored(open_arriving_tips)
    hooks.on_stored(apply_arriving_feedback)
    hooks.on_removed(drop_unplaced)
    hooks.on_removed(queue_erasures)
    hooks.on_committed(report_hits)
    return hooks
