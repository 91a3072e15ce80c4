"""A small world of partner services used across the suite.

- ``dgsi`` (France) and ``fsb`` (Russia) share the bilateral channel ``fr-ru``: dgsi
  reads and writes, fsb reads and writes.
- ``cert`` only reads the community channel ``community`` that dgsi writes to.
- ``outsider`` belongs to no channel the others use; it has its own ``private`` channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from passerelle.keys.rules import KeyRules
from passerelle.objects.hooks import Hooks
from passerelle.policy import directory
from passerelle.policy.directory import Channel, Membership
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.resolution.aliases import AliasData, load_alias_data
from passerelle.settings import Settings
from passerelle.store.database import Database
from passerelle.wiring import key_rules, subscribe_features

# A node's wired parts under default settings, as create_app and the CLI build them.
NODE_KEYS: KeyRules = key_rules(Settings())
NODE_HOOKS: Hooks = subscribe_features(NODE_KEYS)
# What the shipped alias files say (intake reads them without a database).
SHIPPED_ALIASES: AliasData = load_alias_data(NODE_KEYS.alias_dirs)


@dataclass
class World:
    """Organisations, users (with tokens) and channels for tests."""

    database: Database
    tokens: dict[str, str] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    keys: KeyRules = NODE_KEYS
    hooks: Hooks = NODE_HOOKS

    @classmethod
    def build(cls, database: Database) -> World:
        """Create the world in an empty database."""
        world = cls(database)
        with database.write() as conn:
            for name in ("dgsi", "fsb", "cert", "outsider"):
                directory.add_organisation(conn, name)
            for org, user in (
                ("dgsi", "alice"),
                ("dgsi", "alain"),
                ("fsb", "boris"),
                ("cert", "carla"),
                ("outsider", "oscar"),
            ):
                role = Role.ANALYST if user in ("alain", "oscar") else Role.LIAISON
                world.tokens[user] = directory.add_user(conn, org, user, role)
            specs = {
                "fr-ru": [Membership("dgsi", True, True), Membership("fsb", True, True)],
                "community": [Membership("dgsi", True, True), Membership("cert", True, False)],
                "private": [Membership("outsider", True, True)],
                "dropbox": [Membership("dgsi", False, True), Membership("cert", True, True)],
            }
            for title, members in specs.items():
                world.channels[title] = directory.add_channel(conn, title, members, alias=title)
        return world

    def viewer(self, username: str) -> Viewer:
        """Return a user as a viewer."""
        with self.database.read() as conn:
            return directory.viewer_by_name(conn, username)

    def collection(self, title: str) -> str:
        """Return a channel's TAXII collection id."""
        return self.channels[title].collection_id
