"""What the entity-resolution tests share: objects to store, storing them, their links,
and users acting over TAXII and the REST API (:class:`Agent`)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from passerelle.objects.ingest import ingest
from passerelle.resolution import entity_id_for
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from passerelle.store.entity_tables import entity_links
from tests.stixgen import T0, stix_id
from tests.taxii_client import Taxii
from tests.world import World

ISLAMIC_STATE = entity_id_for("islamic-state")


def store(world: World, username: str, channel: str, *objs: dict[str, Any]) -> None:
    result = ingest(
        world.database, world.hooks, world.viewer(username), world.channels[channel], list(objs)
    )
    assert not result.failures, result.failures


def group(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "intrusion-set",
        "spec_version": "2.1",
        "id": stix_id("intrusion-set"),
        "created": T0,
        "modified": T0,
        "name": name,
        **extra,
    }


def links_of(world: World, stix_id_: str, holder: int = 0) -> list[Any]:
    """Return the links of an object's owner's versions (or of one organisation's copy)."""
    with world.database.read() as conn:
        return conn.execute(
            select(entity_links).where(
                entity_links.c.stix_id == stix_id_, entity_links.c.holder == holder
            )
        ).all()


def entity_of(world: World, stix_id_: str, holder: int = 0) -> str:
    """Return the entity an object (its owner's versions, or a copy) is linked to."""
    [row] = [r for r in links_of(world, stix_id_, holder) if r.status in ("auto", "accepted")]
    return str(row.entity_id)


class Agent:
    """One user of the world acting as an attacker, victim or bystander would: TAXII to
    write, the REST API to read and decide."""

    def __init__(self, client: TestClient, world: World, username: str) -> None:
        self.client, self.world, self.username = client, world, username
        self._headers = {"Authorization": f"Bearer {world.tokens[username]}"}

    def post_objects(self, channel: str, *objs: dict[str, Any]) -> dict[str, Any]:
        """POST objects into a channel over TAXII; return the status resource."""
        taxii = Taxii(self.client, self.username, self.world.tokens[self.username])
        answer = taxii.post_objects(self.world.collection(channel), list(objs))
        assert answer.status_code == 202, answer.text
        status: dict[str, Any] = answer.json()
        return status

    def get(self, path: str, **params: Any) -> tuple[int, Any]:
        """GET a REST path; return the status code and the JSON answer."""
        answer = self.client.get(path, params=params, headers=self._headers)
        return answer.status_code, answer.json()

    def post(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        """POST to a REST path; return the status code and the JSON answer."""
        answer = self.client.post(path, json=body, headers=self._headers)
        return answer.status_code, answer.json()

    def acknowledge(self, object_id: str) -> None:
        """Read and accept an object's H3 restriction."""
        status, body = self.post("/api/acknowledgements", {"object_id": object_id})
        assert status == 200, body

    def names_of(self, entity_id: str) -> set[str]:
        """Return the names the user is shown of an entity (none if it is unknown)."""
        status, body = self.get(f"/api/entities/{entity_id}")
        return {n["name"] for n in body["names"]} if status == 200 else set()


def marked(obj: dict[str, Any], tlp: Tlp, **extension: Any) -> dict[str, Any]:
    """Return an object carrying a TLP marking and handling (recipients, codes, H3 text)."""
    obj["object_marking_refs"] = [TLP2_IDS[tlp]]
    if extension:
        obj["extensions"] = {
            HANDLING_EXTENSION_ID: {"extension_type": "property-extension", **extension}
        }
    return obj


def h3(obj: dict[str, Any], text: str = "Call the DGSI duty officer first") -> dict[str, Any]:
    """Return an object carrying an H3 restriction (TLP:AMBER)."""
    return marked(obj, Tlp.AMBER, handling_codes=["H3"], h3_text=text)
