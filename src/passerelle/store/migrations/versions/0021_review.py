"""review: a republished article is recognised

Revision ID: 0021_review
Revises: 0020_search

``intake_drafts.fingerprint``: the SHA-256 of the draft's article text normalised (Unicode
NFKC, casefolded, whitespace runs as one space, trimmed), indexed with the organisation;
``intake_drafts.replaces``: the draft a draft updates (its reviewed decisions carried
over). The fingerprints of the drafts already stored are computed here from their bundles,
as ``passerelle.intake.review.recognition`` computed them when this migration was written.
"""

from __future__ import annotations

import hashlib
import unicodedata

import orjson
import sqlalchemy as sa
from alembic import op

revision = "0021_review"
down_revision = "0020_search"
branch_labels = None
depends_on = None


def _fingerprint(bundle: str) -> str | None:
    try:
        objects = orjson.loads(bundle).get("objects") or []
    except (orjson.JSONDecodeError, AttributeError):
        return None
    for obj in objects:
        if isinstance(obj, dict) and obj.get("type") == "report":
            text = obj.get("x_passerelle_article_text")
            if isinstance(text, str) and text.strip():
                words = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
                return hashlib.sha256(words.encode("utf-8")).hexdigest()
    return None


def upgrade() -> None:
    with op.batch_alter_table("intake_drafts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("replaces", sa.String(64), nullable=True))
        batch_op.create_index("ix_intake_drafts_fingerprint", ["org_id", "fingerprint"])
    conn = op.get_bind()
    drafts = sa.table(
        "intake_drafts",
        sa.column("id", sa.String),
        sa.column("bundle", sa.Text),
        sa.column("fingerprint", sa.String),
    )
    for row in conn.execute(sa.select(drafts.c.id, drafts.c.bundle)).all():
        found = _fingerprint(row.bundle)
        if found:
            conn.execute(drafts.update().where(drafts.c.id == row.id).values(fingerprint=found))


def downgrade() -> None:
    with op.batch_alter_table("intake_drafts", schema=None) as batch_op:
        batch_op.drop_index("ix_intake_drafts_fingerprint")
        batch_op.drop_column("replaces")
        batch_op.drop_column("fingerprint")
