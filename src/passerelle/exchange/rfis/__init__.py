"""Requests for information (RFIs): one organisation asks another, which answers with
objects or refuses with a reason, before a deadline.

Who may do what:

- send: any user but an auditor (usually a liaison officer), to another organisation;
  ``about`` must name an object the sender may see. The deadline is 8 hours (urgent) or
  7 days (normal) from now unless the node's settings or the request's ``within`` say
  otherwise.
- answer, refuse: any user but an auditor of the asked organisation, while the RFI is
  open. An answer's objects must be visible to the answerer and, in the end, to the user
  who asked; those the asker cannot see yet are shared into a channel the answerer names
  (all or nothing, under the usual posting and handling rules), else the answer is
  refused and says which objects the asker cannot see.
- list, show: users of the asking and of the asked organisation. Nobody else learns that
  an RFI exists: an RFI of other organisations answers exactly like an id that does not
  exist, and auditors, who take no part in the workflow, see none.

Every read goes through :func:`passerelle.policy.workflow.rfis_known_to`; every send,
answer and refusal is written to the audit log.

The modules: :mod:`.models` (requests and views), :mod:`.reading` (views, list, show),
:mod:`.writing` (send, answer, refuse), :mod:`.figures` (counts per partner); each
operation is registered beside its run function.
"""

from typing import TYPE_CHECKING

from passerelle.core.faces import lazy_face

# Each name's module is imported when the name is first used: listing RFIs imports no write path.
if TYPE_CHECKING:
    from passerelle.exchange.rfis.figures import rfi_figures
    from passerelle.exchange.rfis.models import (
        AnswerBody,
        AnswerRfi,
        ListRfis,
        RefuseBody,
        RefuseRfi,
        RfiDetail,
        RfiFigures,
        RfiRow,
        SendRfi,
        ShowRfi,
    )
    from passerelle.exchange.rfis.reading import LIST, SHOW, list_rfis, show_rfi
    from passerelle.exchange.rfis.writing import (
        ANSWER,
        REFUSE,
        SEND,
        answer_rfi,
        refuse_rfi,
        send_rfi,
    )
else:
    __getattr__ = lazy_face(
        __name__,
        {
            "figures": ("rfi_figures",),
            "models": (
                "AnswerBody",
                "AnswerRfi",
                "ListRfis",
                "RefuseBody",
                "RefuseRfi",
                "RfiDetail",
                "RfiFigures",
                "RfiRow",
                "SendRfi",
                "ShowRfi",
            ),
            "reading": ("LIST", "SHOW", "list_rfis", "show_rfi"),
            "writing": ("ANSWER", "REFUSE", "SEND", "answer_rfi", "refuse_rfi", "send_rfi"),
        },
    )

__all__ = [
    "ANSWER",
    "LIST",
    "REFUSE",
    "SEND",
    "SHOW",
    "AnswerBody",
    "AnswerRfi",
    "ListRfis",
    "RefuseBody",
    "RefuseRfi",
    "RfiDetail",
    "RfiFigures",
    "RfiRow",
    "SendRfi",
    "ShowRfi",
    "answer_rfi",
    "list_rfis",
    "refuse_rfi",
    "rfi_figures",
    "send_rfi",
    "show_rfi",
]
