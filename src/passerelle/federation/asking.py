"""Federated look-ups, the asker's side: ask each peer that speaks for the user's
organisation whether its node holds something carrying a value (``passerelle lookup VALUE
--federated``), through its REST API as our node account there, and say per peer: hit
(with the holders and an RFI to send them), no-hit, refused, or why it could not be asked.

Only peers whose account speaks for the user's organisation are asked: the far node
answers for the organisation its account belongs to, never another. A purpose is
required; it travels with the question. Every question asked is in this node's audit log
(action ``federated-lookup-ask``: the user, the purpose, the peer, the value, the answer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import Connection

from passerelle.audit import log as audit
from passerelle.core.operations import REFUSED
from passerelle.errors import BadInput, Forbidden, PasserelleError
from passerelle.federation.peers import Peer, authorization, find_peer, list_peers
from passerelle.federation.transport import PeerClient, PeerUnreachable
from passerelle.policy.viewer import Viewer
from passerelle.policy.workflow import require_worker
from passerelle.store.database import Database

ASKED: Final = "federated-lookup-ask"
ANSWERS: Final = ("hit", "no-hit", "refused")
UNREACHABLE: Final = "unreachable"
ERROR: Final = "error"
_PATH: Final = "federation/lookups"
_MAX_HOLDERS: Final = 50


@dataclass
class PeerAnswer:
    """What one peer answered (or why it could not be asked)."""

    peer: str
    organisation: str
    answer: str  # hit, no-hit, refused, unreachable, error
    holders: list[str] = field(default_factory=list)
    suggested_rfis: list[dict[str, str]] = field(default_factory=list)
    error: str = ""


def ask_peers(
    database: Database, viewer: Viewer, value: str, peer_name: str | None, timeout: float
) -> list[PeerAnswer]:
    """Ask the peers that speak for the viewer's organisation (or the one named)."""
    require_worker(viewer)
    purpose = viewer.purpose.strip()
    if not purpose:
        raise BadInput(
            "a federated look-up needs a purpose: passerelle --purpose TEXT lookup VALUE "
            "--federated (or the PASSERELLE_PURPOSE variable)"
        )
    if not value.strip():
        raise BadInput("give a value to look up")
    try:
        with database.read() as conn:
            chosen = _peers_for(conn, viewer, peer_name)
    except Forbidden as exc:
        detail: dict[str, Any] = {
            "operation": "lookup --federated",
            "peer": peer_name or "",
            "reason": exc.message,
        }
        audit.record_alone(database, viewer, REFUSED, [], detail)
        raise
    question = {
        "value": value.strip(),
        "asking_org": viewer.org_name,
        "purpose": f"{purpose} (asked by {viewer.username} of {viewer.org_name})",
    }
    answers = [_ask(peer, question, timeout) for peer in chosen]
    with database.write() as conn:
        for found in answers:
            detail = {"peer": found.peer, "value": audit.printable(value.strip(), 200),
                      "answer": found.answer, "holders": found.holders}  # fmt: skip
            if found.error:
                detail["error"] = found.error
            audit.record(database, conn, viewer, ASKED, [], detail)
    return answers


def _peers_for(conn: Connection, viewer: Viewer, peer_name: str | None) -> list[Peer]:
    if peer_name:
        peer = find_peer(conn, peer_name)
        if peer.speaks_for_org_id != viewer.org_id:
            raise Forbidden(
                f"peer {peer.name!r} speaks for {peer.speaks_for}, not {viewer.org_name}: "
                "it may not ask on your organisation's behalf"
            )
        return [peer]
    chosen = [p for p in list_peers(conn) if p.speaks_for_org_id == viewer.org_id]
    if not chosen:
        raise BadInput(f"no peer speaks for {viewer.org_name} here: nobody to ask")
    return chosen


def _ask(peer: Peer, question: dict[str, str], timeout: float) -> PeerAnswer:
    """Ask one peer; any failure is one line in the answer, never an exception."""
    try:
        client = PeerClient(peer.url, authorization(peer), peer.ca_file, timeout)
    except (PasserelleError, OSError) as exc:
        return PeerAnswer(peer.name, peer.org_name, ERROR, error=_line(exc))
    try:
        status, found = client.rest("POST", _PATH, question)
    except PeerUnreachable as exc:
        reason = _line(exc)
        if exc.http_status == 401:
            reason = "the peer does not accept our token (HTTP 401): check --token-file"
        return PeerAnswer(peer.name, peer.org_name, UNREACHABLE, error=reason)
    finally:
        client.close()
    if status >= 400:
        said = str(found.get("description") or "")[:300]
        return PeerAnswer(peer.name, peer.org_name, ERROR, error=f"HTTP {status}: {said}")
    return _parsed(peer, found)


def _parsed(peer: Peer, found: dict[str, Any]) -> PeerAnswer:
    answer = found.get("answer")
    if answer not in ANSWERS:
        return PeerAnswer(peer.name, peer.org_name, ERROR, error="the answer is no look-up's")
    # What a peer says is printed on a terminal: no control characters, bounded.
    holders = [audit.printable(h, 200) for h in found.get("holders") or [] if isinstance(h, str)]
    rfis = [
        {"to": _text(r.get("to"), 200), "purpose": _text(r.get("purpose"), 2000)}
        for r in found.get("suggested_rfis") or []
        if isinstance(r, dict)
    ]
    return PeerAnswer(
        peer.name, peer.org_name, str(answer), holders[:_MAX_HOLDERS], rfis[:_MAX_HOLDERS]
    )


def _text(value: object, limit: int) -> str:
    return audit.printable(value, limit) if isinstance(value, str) else ""


def _line(exc: Exception) -> str:
    text = exc.message if isinstance(exc, PasserelleError) else str(exc)
    lines = text.strip().splitlines()
    return lines[0][:300] if lines else exc.__class__.__name__
