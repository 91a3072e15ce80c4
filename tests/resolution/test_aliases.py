"""Alias knowledge: shipped, sourced files loaded into the database, extendable by a node."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from passerelle.resolution.alias_files import SHIPPED_DIR
from passerelle.resolution.aliases import (
    AliasFileError,
    ensure_loaded,
    entity_id_for,
    is_loaded,
    load_alias_data,
)
from passerelle.resolution.entities import EntityRef, Resolve, resolve, show_entity
from passerelle.settings import Settings
from passerelle.store.database import Database
from passerelle.store.entity_tables import entities, entity_keys, entity_names
from passerelle.wiring import key_rules, subscribe_features
from tests.exchange_support import FakeClock, contexts
from tests.world import World

ISLAMIC_STATE = entity_id_for("islamic-state")


def test_every_shipped_alias_has_a_known_source() -> None:
    data = load_alias_data([SHIPPED_DIR])
    assert {path.name for path in SHIPPED_DIR.glob("*.json")} >= {
        "groups.json",
        "state_bodies.json",
    }
    by_key = {entity.key: entity for entity in data.entities}
    for key in ("islamic-state", "al-qaida", "aqim", "aqap", "ru-fsb", "us-cia", "fr-dgsi"):
        assert key in by_key
    for entity in data.entities:
        for _name, source in entity.names:
            assert source in data.sources, (entity.key, source)
            assert data.sources[source]
    forms = {name for name, _source in by_key["islamic-state"].names}
    assert {"Daesh", "ISIS", "ISIL", "État islamique", "EIIL", "Daech", "ИГИЛ"} <= forms
    assert {"Исламское государство", "داعش", "الدولة الإسلامية"} <= forms
    fsb = {name for name, _source in by_key["ru-fsb"].names}
    assert {"FSB", "ФСБ", "Service fédéral de sécurité", "Federal Security Service"} <= fsb
    # regional branches of al-Qaida are entities of their own
    assert "AQIM" not in {name for name, _source in by_key["al-qaida"].names}


def test_alias_files_load_once_into_the_database(database: Database) -> None:
    shipped = load_alias_data([SHIPPED_DIR])
    with database.write() as conn:
        assert not is_loaded(conn, shipped)
        ensure_loaded(database, conn, shipped, 1)
        names = conn.execute(select(func.count()).select_from(entity_names)).scalar()
        keys = conn.execute(select(func.count()).select_from(entity_keys)).scalar()
        ensure_loaded(database, conn, shipped, 2)
        assert conn.execute(select(func.count()).select_from(entity_names)).scalar() == names
        assert conn.execute(select(func.count()).select_from(entity_keys)).scalar() == keys
        assert is_loaded(conn, shipped)
        row = conn.execute(select(entities).where(entities.c.id == ISLAMIC_STATE)).one()
        assert (row.kind, row.name) == ("organization", "Islamic State")
        sources = set(
            conn.execute(
                select(entity_names.c.source).where(entity_names.c.entity_id == ISLAMIC_STATE)
            ).scalars()
        )
        assert "aliases:groups.json#wp-ru" in sources
        assert all(s.startswith("aliases:groups.json#") for s in sources)


def test_a_node_extends_the_shipped_knowledge(
    world: World, clock: FakeClock, tmp_path: Path
) -> None:
    own = {
        "title": "Our own designations",
        "sources": {"desk": "Counter-terrorism desk, note 2026-14"},
        "entities": [
            {"key": "islamic-state", "kind": "organization", "name": "Islamic State",
             "aliases": [["Dawlat al-Islamiyya", "desk"]]},
            {"key": "cell-lyon", "kind": "organization", "name": "Lyon cell",
             "aliases": [["Cellule de Lyon", "desk"]]},
        ],
    }  # fmt: skip
    (tmp_path / "local.json").write_text(json.dumps(own), encoding="utf-8")
    keys = key_rules(Settings(aliases_dir=str(tmp_path)))
    ctx = contexts(dataclasses.replace(world, keys=keys, hooks=subscribe_features(keys)), clock)
    [top, *_] = resolve(ctx("alice"), Resolve(name="Dawlat al-Islamiyya"))
    assert top.entity_id == ISLAMIC_STATE
    assert top.best_name_source == "aliases:local.json#desk"
    view = show_entity(ctx("carla"), EntityRef(entity_id=ISLAMIC_STATE))
    added = [n for n in view.names if n.name == "Dawlat al-Islamiyya"]
    assert [(n.source, n.source_detail) for n in added] == [
        ("aliases:local.json#desk", "Counter-terrorism desk, note 2026-14")
    ]
    [lyon, *_] = resolve(ctx("alice"), Resolve(name="Cellule de Lyon"))
    assert lyon.entity_id == entity_id_for("cell-lyon")


def test_a_malformed_alias_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(
        json.dumps({"sources": {}, "entities": [{"key": "x", "kind": "organization",
                    "name": "X", "aliases": [["Y", "nowhere"]]}]}),
        encoding="utf-8",
    )  # fmt: skip
    with pytest.raises(AliasFileError, match="unknown source"):
        load_alias_data([tmp_path])
