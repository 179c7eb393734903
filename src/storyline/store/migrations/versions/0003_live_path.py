"""live path: write jobs, pending articles per job, redirects of merged stories

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 08:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_job', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_articles_pending_job'), ['pending_job'], unique=False)
    op.create_table('story_redirects',
    sa.Column('old_id', sa.String(length=128), nullable=False),
    sa.Column('into', sa.String(length=128), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('merged_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('old_id')
    )
    with op.batch_alter_table('story_redirects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_story_redirects_into'), ['into'], unique=False)
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('articles', sa.Integer(), nullable=False),
    sa.Column('grouped', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('saved', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_state'), ['state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_state'))
    op.drop_table('jobs')
    with op.batch_alter_table('story_redirects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_story_redirects_into'))
    op.drop_table('story_redirects')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_articles_pending_job'))
        batch_op.drop_column('pending_job')
