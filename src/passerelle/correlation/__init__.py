"""Correlation: objects linked across channels by shared observables and resolved entities,
shown only within what the asker may see.

What other packages may use is named here (``__all__``): :mod:`.queries`, the operations
(correlate an object, look a value up) with their requests and answers, which the REST API
and the command line serve; :class:`CorrelationIndex`, the listener that indexes the
observable keys of versions as they are stored, and :func:`reindex` for the versions
stored before; :func:`value_holders` and :func:`entity_holders`, who holds what a viewer
may know exists (the federated look-up's answer). How a version is keyed (:mod:`.index`)
and how entity groups correlate (:mod:`.entities`) are the package's own.
"""

from typing import TYPE_CHECKING

from passerelle.core.faces import lazy_face

# Each name's module is imported when the name is first used: a look-up imports the
# queries, not the index's listener.
if TYPE_CHECKING:
    from passerelle.correlation import queries
    from passerelle.correlation.holders import entity_holders, value_holders
    from passerelle.correlation.index import CorrelationIndex, reindex
else:
    __getattr__ = lazy_face(
        __name__,
        {
            "holders": ("entity_holders", "value_holders"),
            "index": ("CorrelationIndex", "reindex"),
        },
        modules=("queries",),
    )

__all__ = ["CorrelationIndex", "entity_holders", "queries", "reindex", "value_holders"]
