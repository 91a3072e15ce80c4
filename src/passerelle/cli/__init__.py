"""The ``passerelle`` command: run a node, manage its register, move STIX content."""

# The command modules attach themselves to the root group when imported.
from passerelle.cli import (
    admin,
    content,
    correlation,
    demo,
    directory,
    entities,
    federation,
    handling,
    intake,
    intake_additions,
    node,
    notify,
    partners,
    rfis,
    tips,
    watches,
)
from passerelle.cli.root import cli, main

__all__ = [
    "admin",
    "cli",
    "content",
    "correlation",
    "demo",
    "directory",
    "entities",
    "federation",
    "handling",
    "intake",
    "intake_additions",
    "main",
    "node",
    "notify",
    "partners",
    "rfis",
    "tips",
    "watches",
]
