"""``passerelle demo`` sets up the scenario once, in every state, and prints how to log in."""

from __future__ import annotations

import json

from passerelle.policy.passwords import viewer_by_password
from passerelle.store.database import Database
from tests.cli_runner import Run


def test_demo_sets_up_the_scenario_and_prints_how_to_log_in(run: Run, database: Database) -> None:
    made = run("demo", "--no-serve")
    assert made.exit_code == 0, made.output
    for user in ("anna", "adam", "bella", "bruno"):
        assert f"  {user} " in made.output
    assert "psl_" in made.output
    assert "--url http://127.0.0.1:8000" in made.output
    # Each user gets a web password, which signs them in.
    block = made.output.split("sign in with these passwords")[1].split("try, while")[0]
    passwords = dict(line.split() for line in block.splitlines()[1:] if line.strip())
    assert sorted(passwords) == ["adam", "anna", "bella", "bruno"]
    with database.write() as conn:
        assert viewer_by_password(conn, "anna", passwords["anna"]) is not None

    sent = json.loads(run("tips", "sent", "--all", "--json", user="anna").output)
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
    rfis = json.loads(run("rfi", "list", "--json", user="bella").output)
    assert sorted(r["state"] for r in rfis) == ["answered", "open"]
    partners = json.loads(run("partners", "--json", user="bella").output)
    assert partners[0]["to_them"]["watch_hits_reported"] == 1

    again = run("demo", "--no-serve")
    assert again.exit_code == 0, again.output
    assert len(json.loads(run("tips", "sent", "--all", "--json", user="anna").output)) == 2
    old_token = made.output.split("  anna ")[1].split()[3]
    assert old_token.startswith("psl_")
    assert old_token not in again.output
    # not silently: the second run says the old tokens stopped working
    assert "already set up" not in made.output
    assert "the previous tokens no longer work" in again.output
