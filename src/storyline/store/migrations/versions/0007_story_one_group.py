"""stories.one_group: the group a story is covered by alone, as a column (the story list read it from ``body``)

Story cards (the story list, search, storylines) showed it by reading ``coverage.one_group`` out of each story's JSON
body: SQLite and PostgreSQL parsed the whole body (50 KB on average) once per card, ~40x the rest of the cards'
query (bench/load.py, issue 14). The column is filled from the bodies here and by every save after.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 23:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('one_group', sa.Text(), nullable=True))
    stories = sa.table('stories', sa.column('one_group', sa.Text()), sa.column('body', sa.JSON()))
    op.execute(stories.update().values(one_group=stories.c.body[('coverage', 'one_group')].as_string()))


def downgrade() -> None:
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_column('one_group')
