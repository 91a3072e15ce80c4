"""phone region per organisation

Revision ID: 0012_ops
Revises: 0009

``organisations.phone_region``: the region (ISO 3166 code) in which the phone numbers of
the objects an organisation produces are read when written without an international
prefix ("8 912 345-67-89" from a Russian service is +7 912 345 67 89). Empty: the node's
``PASSERELLE_PHONE_REGION``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_ops"
down_revision = "0011_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("phone_region", sa.String(2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("phone_region")
