"""Partners' tools: MISP events in and out through misp-stix, CSV for blocking tools.

:mod:`.misp` converts (its handling tables in :mod:`.misp_handling`, the library calls
in :mod:`.converter`); :mod:`.blocklist` turns exported objects into rows for blocking
tools under PAP. The objects themselves are read and written by the objects layer, under
the policy's rules, as every other import and export.
"""
