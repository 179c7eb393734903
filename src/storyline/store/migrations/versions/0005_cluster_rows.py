"""clustering state as rows: articles, stories, duplicates, term frequencies (a batch reads and writes its part)

The format-1 state (blobs ``cluster:state``, ``cluster:arrays``, ``cluster:ann``) stays until the next write, which
reads it once in full and saves it as these rows (``cluster/state_store.py``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 09:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cluster_articles',
    sa.Column('id', sa.String(length=512), nullable=False),
    sa.Column('story_id', sa.String(length=128), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('stamp', sa.Float(), nullable=True),
    sa.Column('language', sa.String(length=32), nullable=True),
    sa.Column('sketch', sa.LargeBinary(), nullable=False),
    sa.Column('terms', sa.LargeBinary(), nullable=False),
    sa.Column('counts', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cluster_articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cluster_articles_story_id'), ['story_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cluster_articles_seq'), ['seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_cluster_articles_stamp'), ['stamp'], unique=False)
    op.create_table('cluster_stories',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('merged_into', sa.String(length=128), nullable=True),
    sa.Column('merged_run', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('cluster_duplicates',
    sa.Column('article_id', sa.String(length=512), nullable=False),
    sa.Column('original', sa.String(length=512), nullable=False),
    sa.PrimaryKeyConstraint('article_id')
    )
    with op.batch_alter_table('cluster_duplicates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cluster_duplicates_original'), ['original'], unique=False)
    op.create_table('cluster_terms',
    sa.Column('term', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('df', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('term')
    )


def downgrade() -> None:
    op.drop_table('cluster_terms')
    with op.batch_alter_table('cluster_duplicates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cluster_duplicates_original'))
    op.drop_table('cluster_duplicates')
    op.drop_table('cluster_stories')
    with op.batch_alter_table('cluster_articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cluster_articles_stamp'))
        batch_op.drop_index(batch_op.f('ix_cluster_articles_seq'))
        batch_op.drop_index(batch_op.f('ix_cluster_articles_story_id'))
    op.drop_table('cluster_articles')
