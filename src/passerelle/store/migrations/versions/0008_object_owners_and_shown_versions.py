"""object owners and versions as given

Revision ID: 0008
Revises: 0007

``object_owners`` records, once, which organisation produced the first version of each
object: from then on only it adds versions, and every right that depends on the producer
(delete, grant, review, court use) is decided from it. Existing objects get the producer
of their earliest placement.

``channel_objects.shown_version`` keeps the ``modified`` (or ``created``) string exactly
as the producer wrote it, which TAXII shows as the version (section 3.4); the ``version``
column stays the normalised key that orders versions.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "object_owners",
        sa.Column("stix_id", _KEY, primary_key=True),
        sa.Column(
            "org_id",
            sa.Integer,
            sa.ForeignKey("organisations.id", name="fk_object_owners_org"),
            nullable=False,
        ),
        sa.Column("since", sa.BigInteger, nullable=False),
    )
    op.execute(
        "INSERT INTO object_owners (stix_id, org_id, since) "
        "SELECT co.stix_id, co.producer_org_id, co.date_added FROM channel_objects co "
        "WHERE co.seq = (SELECT MIN(c2.seq) FROM channel_objects c2 WHERE c2.stix_id = co.stix_id)"
    )
    op.execute(
        "INSERT INTO object_owners (stix_id, org_id, since) "
        "SELECT o.stix_id, MIN(o.producer_org_id), 0 FROM objects o "
        "WHERE NOT EXISTS (SELECT 1 FROM object_owners w WHERE w.stix_id = o.stix_id) "
        "GROUP BY o.stix_id"
    )
    with op.batch_alter_table("channel_objects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shown_version", _KEY, nullable=False, server_default=""))
    if op.get_bind().dialect.name == "postgresql":
        stamp = "COALESCE(o.body::jsonb ->> 'modified', o.body::jsonb ->> 'created', '')"
    else:
        stamp = (
            "COALESCE(json_extract(o.body, '$.modified'), json_extract(o.body, '$.created'), '')"
        )
    op.execute(
        f"UPDATE channel_objects SET shown_version = (SELECT {stamp} FROM objects o "
        "WHERE o.stix_id = channel_objects.stix_id AND o.version = channel_objects.version)"
    )


def downgrade() -> None:
    with op.batch_alter_table("channel_objects", schema=None) as batch_op:
        batch_op.drop_column("shown_version")
    op.drop_table("object_owners")
