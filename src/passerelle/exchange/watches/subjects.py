"""Putting a tip's subjects on watch, when it is closed with "no link found"."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from passerelle.errors import BadInput
from passerelle.exchange.watches.keys import label_of, subject_keys, watchable
from passerelle.exchange.watches.reading import running
from passerelle.exchange.watches.writing import DEFAULT_TERM, create_watch
from passerelle.keys.rules import KeyRules
from passerelle.objects.latest import latest_visible_bodies
from passerelle.policy.viewer import Viewer
from passerelle.policy.workflow import require_worker
from passerelle.store.schema import watches


def watch_subjects(
    conn: Connection,
    *,
    owner: Viewer,
    created_by: Viewer,
    subject_ids: Sequence[str],
    source_tip_id: str | None,
    until: int | None,
    now: int,
    rules: KeyRules,
) -> list[str]:
    """Put on watch, for ``owner``, each person, group or observable among ``subject_ids``
    that the owner may see; return the watch ids (an existing watch of the same tip counts).

    Runs inside the caller's write transaction (closing a tip with "no link found").
    ``until`` None means :data:`DEFAULT_TERM` from now.
    """
    require_worker(owner)
    end = now + DEFAULT_TERM if until is None else until
    if end <= now:
        raise BadInput("a watch must end in the future")
    made: list[str] = []
    for subject_id in dict.fromkeys(subject_ids):
        body = latest_visible_bodies(conn, owner, [subject_id]).get(subject_id)
        if body is None or not watchable(body, rules.phone_region):
            continue
        known = conn.execute(
            select(watches.c.id).where(
                running(owner, now),
                watches.c.subject_id == subject_id,
                watches.c.source_tip_id.is_(None)
                if source_tip_id is None
                else watches.c.source_tip_id == source_tip_id,
            )
        ).scalar()
        made.append(
            known
            or create_watch(
                conn,
                owner=owner,
                created_by=created_by,
                kind="subject",
                label=label_of(body),
                keys=subject_keys(body, rules),
                until=end,
                now=now,
                subject_id=subject_id,
                source_tip_id=source_tip_id,
            )
        )
    return made
