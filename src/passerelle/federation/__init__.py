"""Federation: peers, push through an outbox, the ledger of who received what,
retractions owed to those who received, and pull by cursor.

A subscriber of object writes (the outbox is filled inside the write transaction) and an
ordinary reader through the objects layer: what leaves is decided by
:mod:`passerelle.policy.departure` with the peer's organisation as the viewer.
"""

from typing import TYPE_CHECKING

from passerelle.core.faces import lazy_face

# Each name's module is imported when the name is first used: a sync pass with nothing to
# pull never imports the exchange loop's listeners (tips), a peer command never the loop.
if TYPE_CHECKING:
    from passerelle.federation.loop import PeerPass, SyncLoop, sync_peers
    from passerelle.federation.outbox import queue_pushed_versions
    from passerelle.federation.peers import (
        Link,
        Peer,
        add_peer,
        find_peer,
        link_peer,
        links_of,
        list_peers,
        remove_peer,
    )
    from passerelle.federation.pull import PullReport, pull_peer
    from passerelle.federation.push import PushReport, push_peer, record_error, record_success
    from passerelle.federation.retract import RetractReport, retract_peer
    from passerelle.federation.retraction import queue_erasures, queue_new_versions
    from passerelle.federation.status import (
        PeerStatus,
        held_back,
        peer_status,
        retractions_owed,
        retry_withheld,
    )
    from passerelle.federation.tips import (
        announce_tips,
        apply_arriving_feedback,
        open_arriving_tips,
    )
    from passerelle.federation.transport import PeerUnreachable
else:
    __getattr__ = lazy_face(
        __name__,
        {
            "loop": ("PeerPass", "SyncLoop", "sync_peers"),
            "outbox": ("queue_pushed_versions",),
            "peers": ("Link", "Peer", "add_peer", "find_peer", "link_peer", "links_of",
                      "list_peers", "remove_peer"),
            "pull": ("PullReport", "pull_peer"),
            "push": ("PushReport", "push_peer", "record_error", "record_success"),
            "retract": ("RetractReport", "retract_peer"),
            "retraction": ("queue_erasures", "queue_new_versions"),
            "status": ("PeerStatus", "held_back", "peer_status", "retractions_owed",
                       "retry_withheld"),
            "tips": ("announce_tips", "apply_arriving_feedback", "open_arriving_tips"),
            "transport": ("PeerUnreachable",),
        },
    )  # fmt: skip

__all__ = [
    "Link",
    "Peer",
    "PeerPass",
    "PeerStatus",
    "PeerUnreachable",
    "PullReport",
    "PushReport",
    "RetractReport",
    "SyncLoop",
    "add_peer",
    "announce_tips",
    "apply_arriving_feedback",
    "find_peer",
    "held_back",
    "link_peer",
    "links_of",
    "list_peers",
    "open_arriving_tips",
    "peer_status",
    "pull_peer",
    "push_peer",
    "queue_erasures",
    "queue_new_versions",
    "queue_pushed_versions",
    "record_error",
    "record_success",
    "remove_peer",
    "retract_peer",
    "retractions_owed",
    "retry_withheld",
    "sync_peers",
]
