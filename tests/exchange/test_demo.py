"""``passerelle demo`` sets up the scenario once, in every state, and prints how to log in."""

from __future__ import annotations

import json

from passerelle.policy.passwords import viewer_by_password
from passerelle.store.database import Database
from tests.cli_runner import Run


def test_demo_sets_up_the_scenario_and_prints_how_to_log_in(run: Run, database: Database) -> None:
    made = run("demo", "--no-serve")
    assert made.exit_code == 0, made.output
    for user in ("anna", "adam", "bella", "bruno", "aude"):
        assert f"  {user} " in made.output
    assert "psl_" in made.output
    assert "--url http://127.0.0.1:8000" in made.output
    # Each user gets a web password, which signs them in.
    block = made.output.split("sign in with these passwords")[1].split("try, while")[0]
    passwords = dict(line.split() for line in block.splitlines()[1:] if line.strip())
    assert sorted(passwords) == ["adam", "anna", "aude", "bella", "bruno"]
    with database.write() as conn:
        assert viewer_by_password(conn, "anna", passwords["anna"]) is not None

    sent = json.loads(run("tip", "sent", "--all", "--json", user="anna").output)
    states = sorted(r["outcome"] or r["state"] for tip in sent for r in tip["receipts"])
    assert states == ["acknowledged", "actioned"]
    overdue = json.loads(run("tips", "overdue", "--json", user="bruno").output)
    assert [o["missing"] for o in overdue] == ["outcome"]
    inbox = json.loads(run("tips", "inbox", "--all", "--json", user="adam").output)
    assert sorted(r["state"] for tip in inbox["tips"] for r in tip["receipts"]) == [
        "closed",
        "received",
    ]
    hits = json.loads(run("watch", "hits", "--json", user="adam").output)
    assert [(h["matched"], h["report_state"]) for h in hits] == [("phone:+33612345678", "sent")]
    # The watch Atlas's no-link closure started is live today, whatever day that is.
    watches = json.loads(run("watch", "list", "--json", user="adam").output)
    assert [(w["label"], w["state"]) for w in watches] == [("identity Ruslan Daudov", "active")]
    # Atlas's auditor reads the log of the scenario.
    log = json.loads(run("audit", "show", "--json", user="aude").output)
    assert {"anna", "adam"} <= {entry["user"] for entry in log}
    rfis = json.loads(run("rfi", "list", "--json", user="bella").output)
    assert sorted(r["state"] for r in rfis) == ["answered", "open"]
    # In words: the question of each RFI; who shared a tip, and which side one is on.
    listed = run("rfi", "list", user="bella").output
    assert "QUESTION" in listed.splitlines()[0]
    assert all(r["purpose"][:30] in listed for r in rfis)
    closed = next(t for t in sent if t["receipts"][0]["state"] == "closed")
    shown = run("tips", "show", closed["id"], user="bella").output
    assert shown.splitlines()[0] == f"tip {closed['id']} (sent to you)"
    assert "received      from anna" in shown
    assert "(you sent it)" in run("tips", "show", closed["id"], user="anna").output
    partners = json.loads(run("partners", "--json", user="bella").output)
    assert partners[0]["to_them"]["watch_hits_reported"] == 1

    again = run("demo", "--no-serve")
    assert again.exit_code == 0, again.output
    # "tips", the command's old name, still works, unlisted.
    assert len(json.loads(run("tips", "sent", "--all", "--json", user="anna").output)) == 2
    listed = run("--help").output
    assert "  tip " in listed
    assert "  tips " not in listed
    old_token = made.output.split("  anna ")[1].split()[3]
    assert old_token.startswith("psl_")
    assert old_token not in again.output
    # not silently: the second run says the old tokens stopped working
    assert "already set up" not in made.output
    assert "the previous tokens no longer work" in again.output
