"""The statements that every stored envelope runs, built once.

Building one with SQLAlchemy cost several times more than running it. Nothing read
through them is kept between transactions: another process may add a watch at any time.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Connection, Select, String, bindparam, column, exists, or_, select, values

from passerelle.exchange.watches.keys import KEY_KINDS
from passerelle.store.schema import users, watch_hits, watch_keys, watches


class PlainQuery:
    """A query that takes no parameter, compiled once per dialect and run as plain SQL.

    Cheaper than running it through SQLAlchemy, and for a VALUES list the only way to
    compile it once: SQLAlchemy does not cache the compiled form of one.
    """

    def __init__(self, query: Select[Any]) -> None:
        self._query = query
        self._sql: dict[str, str] = {}

    def scalars(self, conn: Connection) -> list[Any]:
        """Run the query; return the first column of its rows."""
        dialect = conn.dialect
        sql = self._sql.get(dialect.name)
        if sql is None:
            compiled = self._query.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
            sql = self._sql[dialect.name] = str(compiled)
        return list(conn.exec_driver_sql(sql).scalars())


def _kinds_probe() -> Select[str]:
    """The kinds of keys that some watch holds: one index look-up per kind."""
    # "kind;" is the first string after every "kind:..." key (';' follows ':').
    kinds = values(
        column("kind", String),
        column("low", String),
        column("high", String),
        name="key_kinds",
        literal_binds=True,
    ).data([(kind, f"{kind}:", f"{kind};") for kind in sorted(KEY_KINDS)])
    listed = kinds.cte("key_kinds")
    return select(listed.c.kind).where(
        exists().where(watch_keys.c.key >= listed.c.low, watch_keys.c.key < listed.c.high)
    )


# The kinds of keys that some watch holds.
WATCHED_KINDS: Final = PlainQuery(_kinds_probe())

# The running watches that hold one of :keys, with their owners' names.
WATCHES_ON: Final = (
    select(
        watch_keys.c.key,
        watches.c.id,
        watches.c.owner_id,
        watches.c.source_tip_id,
        users.c.username.label("owner_name"),
    )
    .join(watches, watches.c.id == watch_keys.c.watch_id)
    .join(users, users.c.id == watches.c.owner_id)
    .where(
        watch_keys.c.key.in_(bindparam("keys", expanding=True)),
        watches.c.ended.is_(None),
        or_(watches.c.until.is_(None), watches.c.until > bindparam("now")),
    )
)

# The stored hits of the watches :watch_ids on the objects :stix_ids.
HIT_IDS: Final = select(
    watch_hits.c.id, watch_hits.c.watch_id, watch_hits.c.stix_id, watch_hits.c.version
).where(
    watch_hits.c.watch_id.in_(bindparam("watch_ids", expanding=True)),
    watch_hits.c.stix_id.in_(bindparam("stix_ids", expanding=True)),
)

# The oldest hits still to report (ix_watch_hits_report finds them; usually there are none).
PENDING_HITS: Final = PlainQuery(
    select(watch_hits.c.id)
    .where(watch_hits.c.report_state == "pending")
    .order_by(watch_hits.c.id)
    .limit(1000)
)
