"""A queued notice as it leaves the node: an e-mail, or the JSON body of a webhook.

Both say only the facts queued with the notice (what its recipient may be told) and the
link to the page where the rest waits for them, behind their sign-in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import orjson

from passerelle.notify.kinds import TITLES
from passerelle.notify.queue import Due
from passerelle.stix.timestamps import micros_to_text


def link_of(due: Due, public_url: str) -> str:
    """Return the address of the page the notice is about (a path if the node's public
    address is not set)."""
    facts = due.facts
    if "tip" in facts:
        path = f"/tips/{facts['tip']}"
    elif "rfi" in facts:
        path = f"/rfis/{facts['rfi']}"
    elif "watch" in facts:
        path = "/watches"
    else:
        path = "/"
    return public_url.rstrip("/") + path


def said(due: Due) -> dict[str, Any]:
    """Return what the notice says in words: its facts, or nothing for a withheld tip."""
    if due.facts.get("withheld"):
        return {}
    return dict(due.facts)


def webhook_body(due: Due, public_url: str) -> bytes:
    """Return the JSON body of a webhook call (the same bytes at every retry)."""
    return orjson.dumps(
        {
            "delivery": due.id,
            "kind": due.kind,
            "title": TITLES[due.kind],
            "at": micros_to_text(due.at),
            "facts": said(due),
            "link": link_of(due, public_url),
        },
        option=orjson.OPT_SORT_KEYS,
    )


def email_message(due: Due, sender: str, public_url: str, now: int) -> EmailMessage:
    """Return the e-mail of a notice, plain text."""
    message = EmailMessage()
    message["Subject"] = f"[Passerelle] {TITLES[due.kind]}"
    message["From"] = sender
    message["To"] = due.address
    message["Date"] = format_datetime(datetime.fromtimestamp(now / 1_000_000, UTC))
    # The same at every retry, so that a mail client shows a notice sent twice once.
    message["Message-ID"] = f"<notice-{due.id}.{due.at}@passerelle>"
    lines = [TITLES[due.kind] + "."]
    facts = said(due)
    if facts:
        lines.append("")
        lines.extend(f"{key.replace('_', ' ')}: {value}" for key, value in facts.items())
    lines += ["", f"Read it on the node: {link_of(due, public_url)}", ""]
    message.set_content("\n".join(lines))
    return message
