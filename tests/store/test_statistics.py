"""The node analyses the tables it fills, so PostgreSQL plans with real row counts even
when autovacuum is off or lagging behind a load."""

from __future__ import annotations

from sqlalchemy import text

from passerelle.store.statistics import GROWTH, MIN_ROWS, Growth
from tests.exchange_support import store
from tests.stixgen import indicator
from tests.world import World


def test_a_table_is_due_once_it_has_grown_by_half_and_by_the_minimum() -> None:
    growth = Growth()
    growth.grew("objects", MIN_ROWS - 1)
    assert growth.due() == []
    growth.grew("objects", 1)
    assert growth.due() == ["objects"]
    assert growth.due() == []  # counted from the analysis on
    growth.analysed("objects", 10 * MIN_ROWS)
    growth.grew("objects", MIN_ROWS)
    assert growth.due() == []  # a tenth of a big table is not enough
    growth.grew("objects", int(GROWTH * 10 * MIN_ROWS))
    assert growth.due() == ["objects"]


def test_a_postgresql_node_analyses_the_tables_a_load_filled(world: World) -> None:
    objects = [indicator(n) for n in range(MIN_ROWS + 10)]
    store(world, "alice", "fr-ru", objects)
    with world.database.read() as conn:
        stored = conn.execute(text("SELECT count(*) FROM channel_objects")).scalar()
        # What the planner believes; SQLite keeps no statistics of its own to go stale.
        believed = stored
        if conn.dialect.name == "postgresql":
            believed = conn.execute(
                text("SELECT reltuples FROM pg_class WHERE oid = to_regclass('channel_objects')")
            ).scalar()
    assert stored == MIN_ROWS + 10
    assert believed is not None
    assert believed >= MIN_ROWS
