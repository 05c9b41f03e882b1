"""migrant-worker roll-up (rollup_migrant), filled from the stored persons and watchlist rows

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 21:20:00
"""
import sqlalchemy as sa
from alembic import op

from safetynet.pipeline import migrant_rollup

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rollup_migrant',
        sa.Column('adcode', sa.String(length=6), nullable=False),
        sa.Column('category', sa.String(length=3), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('origin', sa.String(length=6), nullable=False),
        sa.Column('work', sa.String(length=6), nullable=False),
        sa.Column('work_place', sa.String(length=8), nullable=False),
        sa.Column('is_leaf', sa.Boolean(), nullable=False),
        sa.Column('workers', sa.Integer(), nullable=False),
        sa.Column('cross_province', sa.Integer(), nullable=False),
        sa.Column('in_high', sa.Integer(), nullable=False),
        sa.Column('uninsured', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('adcode', 'category', 'month', 'origin', 'work', 'work_place',
                                name=op.f('pk_rollup_migrant')),
    )
    # An existing database gets its roll-up now (the same code the scoring paths run), not at its next import.
    # A later migration that changes rollup_migrant must give this one its own copy of today's SQL.
    migrant_rollup.refresh(op.get_bind())


def downgrade() -> None:
    op.drop_table('rollup_migrant')
