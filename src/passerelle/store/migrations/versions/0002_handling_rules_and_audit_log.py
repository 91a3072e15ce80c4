"""handling rules and audit log

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("org_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("object_ids", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_username", ["username"], unique=False)

    op.create_table(
        "object_recipients",
        sa.Column(
            "stix_id",
            sa.String().with_variant(sa.String(collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "version",
            sa.String().with_variant(sa.String(collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("stix_id", "version", "username"),
    )
    op.create_table(
        "object_refs",
        sa.Column(
            "stix_id",
            sa.String().with_variant(sa.String(collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "version",
            sa.String().with_variant(sa.String(collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "ref_id",
            sa.String().with_variant(sa.String(collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("stix_id", "version", "ref_id"),
    )
    with op.batch_alter_table("object_refs", schema=None) as batch_op:
        batch_op.create_index("ix_object_refs_ref", ["ref_id"], unique=False)

    op.create_table(
        "org_clients",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("client_org_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_org_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("org_id", "client_org_id"),
    )
    op.create_table(
        "acknowledgements",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "stix_id",
            sa.String().with_variant(sa.String(collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("user_id", "stix_id"),
    )
    op.create_table(
        "grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "stix_id",
            sa.String().with_variant(sa.String(collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("granted_by", sa.Integer(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
        ),
        sa.ForeignKeyConstraint(
            ["granted_by"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("grants", schema=None) as batch_op:
        batch_op.create_index("ix_grants_object", ["stix_id", "kind"], unique=False)

    with op.batch_alter_table("channel_objects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tlp", sa.SmallInteger(), server_default="2", nullable=False))
        batch_op.add_column(
            sa.Column("tlp_defaulted", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("producer_org_id", sa.Integer(), nullable=True))
        batch_op.drop_constraint("uq_channel_object_version", type_="unique")
        batch_op.create_unique_constraint(
            "uq_channel_objects_placement", ["stix_id", "channel_id", "version"]
        )

    # Existing placements take their producer from the stored version.
    op.execute(
        "UPDATE channel_objects SET producer_org_id = (SELECT o.producer_org_id FROM objects o "
        "WHERE o.stix_id = channel_objects.stix_id AND o.version = channel_objects.version)"
    )
    with op.batch_alter_table("channel_objects", schema=None) as batch_op:
        batch_op.alter_column("producer_org_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            "fk_channel_objects_producer", "organisations", ["producer_org_id"], ["id"]
        )
        batch_op.drop_index("ix_channel_objects_channel_seq")
        batch_op.drop_index("ix_channel_objects_channel_type_seq")
        batch_op.drop_index("ix_channel_objects_channel_date_added")
        batch_op.create_index(
            "ix_channel_objects_order", ["channel_id", "date_added", "stix_id", "version"]
        )
        batch_op.create_index(
            "ix_channel_objects_type_order",
            ["channel_id", "type", "date_added", "stix_id", "version"],
        )
        batch_op.create_index(
            "ix_channel_objects_tlp_order",
            ["channel_id", "tlp", "date_added", "stix_id", "version"],
        )
        batch_op.create_index(
            "ix_channel_objects_channel_producer", ["channel_id", "producer_org_id"], unique=False
        )

    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("default_tlp", sa.SmallInteger(), server_default="2", nullable=False)
        )

    with op.batch_alter_table("objects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tlp", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("pap", sa.SmallInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("handling_codes", sa.SmallInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("h3_text", sa.Text(), server_default="", nullable=False))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("default_purpose", sa.String(length=200), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("default_purpose")

    with op.batch_alter_table("objects", schema=None) as batch_op:
        batch_op.drop_column("h3_text")
        batch_op.drop_column("handling_codes")
        batch_op.drop_column("pap")
        batch_op.drop_column("tlp")

    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_column("default_tlp")

    with op.batch_alter_table("channel_objects", schema=None) as batch_op:
        batch_op.drop_index("ix_channel_objects_channel_producer")
        batch_op.drop_index("ix_channel_objects_tlp_order")
        batch_op.drop_index("ix_channel_objects_type_order")
        batch_op.drop_index("ix_channel_objects_order")
        batch_op.create_index("ix_channel_objects_channel_seq", ["channel_id", "seq"])
        batch_op.create_index("ix_channel_objects_channel_type_seq", ["channel_id", "type", "seq"])
        batch_op.create_index("ix_channel_objects_channel_date_added", ["channel_id", "date_added"])
        batch_op.drop_constraint("fk_channel_objects_producer", type_="foreignkey")
        batch_op.drop_constraint("uq_channel_objects_placement", type_="unique")
        batch_op.create_unique_constraint(
            "uq_channel_object_version", ["channel_id", "stix_id", "version"]
        )
        batch_op.drop_column("producer_org_id")
        batch_op.drop_column("tlp_defaulted")
        batch_op.drop_column("tlp")

    with op.batch_alter_table("grants", schema=None) as batch_op:
        batch_op.drop_index("ix_grants_object")

    op.drop_table("grants")
    op.drop_table("acknowledgements")
    op.drop_table("org_clients")
    with op.batch_alter_table("object_refs", schema=None) as batch_op:
        batch_op.drop_index("ix_object_refs_ref")

    op.drop_table("object_refs")
    op.drop_table("object_recipients")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_username")

    op.drop_table("audit_log")
