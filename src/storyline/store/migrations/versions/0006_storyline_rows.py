"""storyline state as rows: story profiles, name postings, term frequencies, storylines (a batch reads its part)

The format-1 storyline state (blob ``storylines:state`` and one ``storylines:retired:<id>`` per retired storyline)
stays until the next write, which reads it once in full and saves it as these rows (``cluster/storyline_rows.py``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('storyline_profiles',
    sa.Column('story_id', sa.String(length=128), nullable=False),
    sa.Column('line', sa.String(length=128), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('story_id')
    )
    with op.batch_alter_table('storyline_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_storyline_profiles_line'), ['line'], unique=False)
    op.create_table('storyline_names',
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('story_id', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('name', 'story_id')
    )
    with op.batch_alter_table('storyline_names', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_storyline_names_story_id'), ['story_id'], unique=False)
    op.create_table('storyline_terms',
    sa.Column('term', sa.Text(), nullable=False),
    sa.Column('df', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('term')
    )
    op.create_table('storyline_lines',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('last', sa.String(length=64), nullable=True),
    sa.Column('last_day', sa.Float(), nullable=True),
    sa.Column('undated', sa.Boolean(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('storyline_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_storyline_lines_last'), ['last'], unique=False)
        batch_op.create_index(batch_op.f('ix_storyline_lines_last_day'), ['last_day'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('storyline_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_storyline_lines_last_day'))
        batch_op.drop_index(batch_op.f('ix_storyline_lines_last'))
    op.drop_table('storyline_lines')
    op.drop_table('storyline_terms')
    with op.batch_alter_table('storyline_names', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_storyline_names_story_id'))
    op.drop_table('storyline_names')
    with op.batch_alter_table('storyline_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_storyline_profiles_line'))
    op.drop_table('storyline_profiles')
