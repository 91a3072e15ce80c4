"""web sign-in: password hashes and server-side sessions

Revision ID: 0011_web
Revises: 0009

- ``users.password_hash``: the argon2 hash of a user's web password (``passerelle user
  password USER``); none until one is set, and then the user cannot sign in on the web.
- ``web_sessions``: one row per signed-in browser, keyed by the SHA-256 of the session id
  the cookie carries, with the purpose declared at sign-in, the session's CSRF token and
  when it was last used (the idle timeout counts from there).
- ``web_links``: one-time sign-in links (``passerelle user link USER``), by the SHA-256 of
  their token, until used or expired.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_web"
down_revision = "0010_fed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(200), nullable=True))
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("last_seen", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_web_sessions_user", "web_sessions", ["user_id"])
    op.create_table(
        "web_links",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("expires", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("web_links")
    op.drop_index("ix_web_sessions_user", table_name="web_sessions")
    op.drop_table("web_sessions")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("password_hash")
