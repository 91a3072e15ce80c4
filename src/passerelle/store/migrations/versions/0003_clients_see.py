"""clients_see: an indexable flag for what clients of members may see

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channel_objects", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("clients_see", sa.Boolean(), server_default="0", nullable=False)
        )
    op.execute("UPDATE channel_objects SET clients_see = (tlp <= 2)")
    with op.batch_alter_table("channel_objects", schema=None) as batch_op:
        batch_op.drop_index("ix_channel_objects_tlp_order")
        batch_op.create_index(
            "ix_channel_objects_clients_order",
            ["channel_id", "clients_see", "date_added", "stix_id", "version"],
        )


def downgrade() -> None:
    with op.batch_alter_table("channel_objects", schema=None) as batch_op:
        batch_op.drop_index("ix_channel_objects_clients_order")
        batch_op.create_index(
            "ix_channel_objects_tlp_order",
            ["channel_id", "tlp", "date_added", "stix_id", "version"],
        )
        batch_op.drop_column("clients_see")
