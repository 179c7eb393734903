"""near-duplicate keys of stored articles (cross-run dedup)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 20:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing articles get their keys on the next incremental digest (dedup/stored.py backfill), computed with the
    # settings of that run: the migration itself stays plain DDL.
    op.create_table('dedup_keys',
    sa.Column('article_id', sa.String(length=512), nullable=False),
    sa.Column('scheme', sa.String(length=64), nullable=False),
    sa.Column('shingles', sa.Integer(), nullable=False),
    sa.Column('signature', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('article_id')
    )
    op.create_table('dedup_bands',
    sa.Column('band', sa.BigInteger(), nullable=False),
    sa.Column('article_id', sa.String(length=512), nullable=False),
    sa.PrimaryKeyConstraint('band', 'article_id')
    )
    with op.batch_alter_table('dedup_bands', schema=None) as batch_op:
        batch_op.create_index('ix_dedup_bands_article_id', ['article_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dedup_bands', schema=None) as batch_op:
        batch_op.drop_index('ix_dedup_bands_article_id')
    op.drop_table('dedup_bands')
    op.drop_table('dedup_keys')
