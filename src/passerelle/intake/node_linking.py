"""Linking intake's mentions to the node's own entities, as the reading user may see them.

The alias files' entities are known everywhere; a node also knows the entities it
resolved from stored objects (a person named in a partner's report, say). With the node's
database and the user who runs intake, those are candidates too, found by the same
indexed blocking-key look-up as ingest uses and seen through the same policy: a name the
user may not see neither makes a candidate nor shows in the draft.
"""

from __future__ import annotations

from passerelle.intake.pipeline import best_of
from passerelle.policy.viewer import Viewer
from passerelle.resolution import Kind, find_candidates, name_keys
from passerelle.store.database import Database


class NodeLinker:
    """Links names to the entities of a node's database that a user may see."""

    def __init__(self, database: Database, viewer: Viewer) -> None:
        self._database = database
        self._viewer = viewer

    def link(self, name: str, kind: Kind) -> str | None:
        """Return the entity the name stands for, among those the user may see, or None."""
        keys = name_keys(name, kind)
        if not keys:
            return None
        with self._database.read() as conn:
            found, _shared = find_candidates(conn, self._viewer, keys, kind)
        pool = [
            (entity_id, [row.name for row in candidate.names])
            for entity_id, candidate in found.items()
            if candidate.names
        ]
        return best_of(name, kind, pool)
