"""the administration lifecycle: disabled users, the operator organisation

Revision ID: 0014_admin
Revises: 0013_fed

``users.disabled``: a disabled user's token, web sessions and sign-in links stop working
at once; their records (tips, audit entries) stay theirs. ``organisations.operator``: the
organisation whose admins run the node itself (create organisations and channels, change
who is in a channel); see docs/security.md, "Administration".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_admin"
down_revision = "0013_fed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(
            sa.Column("operator", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("operator")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("disabled")
