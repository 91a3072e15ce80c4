"""Entity resolution: names compared across scripts and spellings, scored and explained
links from objects to entities, a review queue, reversible merges.

What other packages may use is named here (``__all__``):

- :mod:`.entities`: the operations (resolve a name, show an entity, merge, unmerge, add a
  name, the review queue) with their requests and answers, which the REST API and the
  command line serve;
- :class:`EntityLinking`, the listener that links objects to entities as they are stored,
  and :func:`relink` for the versions stored before (of the :data:`RESOLVED_TYPES`);
- :class:`ResolvingNames`, the name matcher of watches;
- the name engine: :func:`score`, :func:`name_keys`, :func:`normalise`,
  :func:`script_of`, :class:`Facts`, :class:`Scored`, :data:`Kind`;
- the alias files: :class:`AliasData`, :func:`alias_dirs`, :func:`load_alias_data`,
  :func:`ensure_loaded`, :func:`entity_id_for`;
- for intake's drafts: :func:`find_candidates` (the entities a user may see that share a
  blocking key with a name), and :func:`explanation` with :data:`SOURCE_REVIEW` (how a
  reviewed link is written).

The other modules are the package's own: names cut into parts (:mod:`.parts` with
:mod:`.words`, :mod:`.legal_forms`, :mod:`.number_words`, :mod:`.translit`,
:mod:`.phonetic`), the name score (:mod:`.features` and its one table in
:mod:`.scoring`), what objects say (:mod:`.subjects`), links and the names they teach,
version by version (:mod:`.links`), entities as a viewer sees them (:mod:`.candidates`,
:mod:`.views`), linking at ingest (:mod:`.linking`) and the watch matcher
(:mod:`.matcher`). Who may see what of it all is decided in
:mod:`passerelle.policy.entities`, merge groups in :mod:`passerelle.policy.entity_groups`.
"""

from typing import TYPE_CHECKING

from passerelle.core.faces import lazy_face

# Each name's module is imported when the name is first used: the key rules of a command
# that keys no name import none of the name engine.
if TYPE_CHECKING:
    from passerelle.resolution import entities
    from passerelle.resolution.alias_files import alias_dirs
    from passerelle.resolution.aliases import (
        AliasData,
        ensure_loaded,
        entity_id_for,
        load_alias_data,
    )
    from passerelle.resolution.candidates import find_candidates
    from passerelle.resolution.linking import EntityLinking, relink
    from passerelle.resolution.links import SOURCE_REVIEW, explanation
    from passerelle.resolution.matcher import ResolvingNames
    from passerelle.resolution.names import (
        Facts,
        Kind,
        Scored,
        name_keys,
        normalise,
        score,
        script_of,
    )
    from passerelle.resolution.subjects import RESOLVED_TYPES
else:
    __getattr__ = lazy_face(
        __name__,
        {
            "alias_files": ("alias_dirs",),
            "aliases": ("AliasData", "ensure_loaded", "entity_id_for", "load_alias_data"),
            "candidates": ("find_candidates",),
            "linking": ("EntityLinking", "relink"),
            "links": ("SOURCE_REVIEW", "explanation"),
            "matcher": ("ResolvingNames",),
            "names": ("Facts", "Kind", "Scored", "name_keys", "normalise", "score", "script_of"),
            "subjects": ("RESOLVED_TYPES",),
        },
        modules=("entities",),
    )

__all__ = [
    "RESOLVED_TYPES",
    "SOURCE_REVIEW",
    "AliasData",
    "EntityLinking",
    "Facts",
    "Kind",
    "ResolvingNames",
    "Scored",
    "alias_dirs",
    "ensure_loaded",
    "entities",
    "entity_id_for",
    "explanation",
    "find_candidates",
    "load_alias_data",
    "name_keys",
    "normalise",
    "relink",
    "score",
    "script_of",
]
