"""covering index of migrant workers

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 19:25:00
"""
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

COLUMNS = ["is_migrant", "hh_id", "origin_adcode", "work_adcode", "work_place", "pension_insured", "injury_insured"]


def upgrade() -> None:
    op.create_index("ix_person_migrant", "person", COLUMNS, unique=False)
    op.execute("ANALYZE person")


def downgrade() -> None:
    op.drop_index("ix_person_migrant", table_name="person")
