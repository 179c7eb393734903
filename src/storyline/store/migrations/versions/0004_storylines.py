"""storylines: stories of one developing topic, and each story's storyline

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 03:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('storylines',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('headline', sa.Text(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('first_published', sa.DateTime(), nullable=True),
    sa.Column('last_published', sa.DateTime(), nullable=True),
    sa.Column('sort_time', sa.DateTime(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('storylines', schema=None) as batch_op:
        batch_op.create_index('ix_storylines_newest', ['sort_time', 'id'], unique=False)
    op.create_table('storyline_stories',
    sa.Column('story_id', sa.String(length=128), nullable=False),
    sa.Column('storyline_id', sa.String(length=128), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('story_id')
    )
    with op.batch_alter_table('storyline_stories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_storyline_stories_storyline_id'), ['storyline_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('storyline_stories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_storyline_stories_storyline_id'))
    op.drop_table('storyline_stories')
    with op.batch_alter_table('storylines', schema=None) as batch_op:
        batch_op.drop_index('ix_storylines_newest')
    op.drop_table('storylines')
