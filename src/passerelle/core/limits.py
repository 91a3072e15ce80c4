"""Bounds on the free text users write into workflow records, shared by the features."""

from __future__ import annotations

from typing import Final

# The longest reason given for a decision (refusing an RFI, ending a watch, deciding on a
# draft's element): the audit log and the records keep it whole up to this.
MAX_REASON: Final = 4000
