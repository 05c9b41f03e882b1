"""indexes on the foreign keys that deletes follow (risk_event.person_id, assistance.person_id, plan_item.aid_id)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 22:58:00

Removing a member sets risk_event.person_id and assistance.person_id to NULL (ON DELETE SET NULL), and
removing an assistance row sets plan_item.aid_id to NULL. Without an index on those columns SQLite scans
the whole child table once per removed row: taking 1,000 members out of a database of a million files
ran for minutes.
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f('ix_risk_event_person_id'), 'risk_event', ['person_id'])
    op.create_index(op.f('ix_assistance_person_id'), 'assistance', ['person_id'])
    op.create_index(op.f('ix_plan_item_aid_id'), 'plan_item', ['aid_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_plan_item_aid_id'), table_name='plan_item')
    op.drop_index(op.f('ix_assistance_person_id'), table_name='assistance')
    op.drop_index(op.f('ix_risk_event_person_id'), table_name='risk_event')
