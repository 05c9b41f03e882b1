"""watchlist sorted by r

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 19:58:00
"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_household_current_month_r", "household_current", ["month", "r"], unique=False)
    op.execute("ANALYZE household_current")


def downgrade() -> None:
    op.drop_index("ix_household_current_month_r", table_name="household_current")
