"""Correlation: objects linked across channels by shared observables and resolved entities,
shown only within what the asker may see.

What other packages may use is named here (``__all__``): :mod:`.queries`, the operations
(correlate an object, look a value up) with their requests and answers, which the REST API
and the command line serve; :class:`CorrelationIndex`, the listener that indexes the
observable keys of versions as they are stored, and :func:`reindex` for the versions
stored before. How a version is keyed (:mod:`.index`) and how entity groups correlate
(:mod:`.entities`) are the package's own.
"""

from passerelle.correlation import queries
from passerelle.correlation.index import CorrelationIndex, reindex

__all__ = ["CorrelationIndex", "queries", "reindex"]
