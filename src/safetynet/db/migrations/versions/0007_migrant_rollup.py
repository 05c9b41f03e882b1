"""migrant-worker roll-up (rollup_migrant), filled from the stored persons and watchlist rows

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 21:20:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# Leaf rows (the households' counties) from persons and the watchlist rows, then every wider region's rows
# summed from the leaf rows.
_LEAF_ROWS = (
    'INSERT INTO rollup_migrant (adcode, category, month, origin, work, work_place, is_leaf, workers, '
    'cross_province, in_high, uninsured) SELECT c.adcode, c.category, c.month, '
    "COALESCE(COALESCE(o.pref_adcode, o.adcode), ''), COALESCE(COALESCE(w.pref_adcode, w.adcode), ''), "
    "COALESCE(p.work_place, ''), :yes, COUNT(*), SUM(CASE WHEN o.prov_adcode <> w.prov_adcode THEN 1 ELSE "
    "0 END), SUM(CASE WHEN c.tier = '高' THEN 1 ELSE 0 END), SUM(CASE WHEN p.pension_insured = :no AND "
    'p.injury_insured = :no THEN 1 ELSE 0 END) FROM person p JOIN household_current c ON c.hh_id = '
    'p.hh_id LEFT JOIN region o ON o.adcode = p.origin_adcode LEFT JOIN region w ON w.adcode = '
    'p.work_adcode WHERE p.is_migrant = :yes  GROUP BY c.adcode, c.category, c.month, '
    "COALESCE(COALESCE(o.pref_adcode, o.adcode), ''), COALESCE(COALESCE(w.pref_adcode, w.adcode), ''), "
    "COALESCE(p.work_place, '')"
)
_WIDER_ROWS = (
    'INSERT INTO rollup_migrant (adcode, category, month, origin, work, work_place, is_leaf, workers, '
    'cross_province, in_high, uninsured) SELECT g.target, g.category, g.month, g.origin, g.work, '
    'g.work_place, :no, SUM(g.workers), SUM(g.cross_province), SUM(g.in_high), SUM(g.uninsured) FROM (  '
    'SELECT a.target, m.category, m.month, m.work_place, m.workers, m.cross_province, m.in_high, '
    'm.uninsured,   CASE WHEN a.target = :nation THEN COALESCE(ro.prov_adcode, m.origin) ELSE m.origin '
    'END AS origin,   CASE WHEN a.target = :nation THEN COALESCE(rw.prov_adcode, m.work) ELSE m.work END '
    'AS work   FROM rollup_migrant m   JOIN (SELECT adcode, pref_adcode AS target FROM region WHERE '
    'pref_adcode IS NOT NULL AND pref_adcode <> adcode UNION SELECT adcode, prov_adcode FROM region WHERE '
    'prov_adcode IS NOT NULL AND prov_adcode <> adcode UNION SELECT adcode, CAST(:nation AS VARCHAR(6)) '
    'FROM region WHERE adcode <> :nation) a ON a.adcode = m.adcode   LEFT JOIN region ro ON ro.adcode = '
    'm.origin   LEFT JOIN region rw ON rw.adcode = m.work   WHERE m.is_leaf = :yes ) g GROUP BY g.target, '
    'g.category, g.month, g.origin, g.work, g.work_place'
)


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
    # An existing database gets its roll-up now, not at its next import: the SQL of
    # pipeline.migrant_rollup.refresh as it was at this revision (frozen here, so later changes to that
    # module cannot change what this migration does).
    conn = op.get_bind()
    flags = {"yes": True, "no": False, "nation": "000000"}
    conn.execute(sa.text("DELETE FROM rollup_migrant"))
    conn.execute(sa.text(_LEAF_ROWS), flags)
    conn.execute(sa.text(_WIDER_ROWS), flags)


def downgrade() -> None:
    op.drop_table('rollup_migrant')
