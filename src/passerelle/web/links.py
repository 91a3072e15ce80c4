"""Where a one-time sign-in link is opened; the links themselves are the policy's
(:mod:`passerelle.policy.signin_links`)."""

from __future__ import annotations

from passerelle.policy.signin_links import LINK_PATH, issue_link, use_link

__all__ = ["LINK_PATH", "issue_link", "use_link"]
