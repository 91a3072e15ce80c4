"""federation: organisations whose federated look-ups this node refuses

Revision ID: 0017_fedlookup
Revises: 0016_fed_rfis

``federation_lookup_refusals``: one row per organisation whose node accounts may not ask
this node whether it holds something (hit/no-hit across nodes), with when and why it was
decided; a look-up from it is answered ``refused`` and audited.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_fedlookup"
down_revision = "0016_fed_rfis"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "federation_lookup_refusals",
        sa.Column("org_id", sa.Integer, sa.ForeignKey("organisations.id"), primary_key=True),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("federation_lookup_refusals")
