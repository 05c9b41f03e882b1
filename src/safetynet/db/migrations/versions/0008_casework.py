"""casework: leads, deadlines, the holiday calendar, plans, elimination requests, attachments, row versions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 22:10:00

The tables of DOMAIN §8 (the loop after a warning). Their reference rows — the holiday calendar and the
national deadline defaults — are filled by `db.reference.load_reference` like the other reference tables.
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('household') as batch:
        batch.add_column(sa.Column('assignee', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('row_version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('followup') as batch:
        batch.add_column(sa.Column('visitor', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('created_by', sa.String(length=64), nullable=True))
    op.create_table(
        'work_calendar',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('source', sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_work_calendar')),
    )
    op.create_table(
        'deadline_rule',
        sa.Column('adcode', sa.String(length=6), nullable=False),
        sa.Column('step', sa.String(length=16), nullable=False),
        sa.Column('amount', sa.SmallInteger(), nullable=False),
        sa.Column('unit', sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(['adcode'], ['region.adcode'], name=op.f('fk_deadline_rule_adcode_region')),
        sa.PrimaryKeyConstraint('adcode', 'step', name=op.f('pk_deadline_rule')),
    )
    op.create_table(
        'lead',
        sa.Column('lead_id', sa.Integer(), nullable=False),
        sa.Column('hh_id', sa.Integer(), nullable=True),
        sa.Column('adcode', sa.String(length=6), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('alert', sa.String(length=16), nullable=True),
        sa.Column('alert_month', sa.Integer(), nullable=True),
        sa.Column('department', sa.String(length=8), nullable=True),
        sa.Column('applicant_name', sa.String(length=32), nullable=True),
        sa.Column('applicant_phone', sa.String(length=20), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('assignee', sa.String(length=64), nullable=True),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('checked_on', sa.Date(), nullable=True),
        sa.Column('check_by', sa.String(length=64), nullable=True),
        sa.Column('check_finding', sa.Text(), nullable=True),
        sa.Column('decision', sa.String(length=8), nullable=True),
        sa.Column('decision_reason', sa.String(length=255), nullable=True),
        sa.Column('decided_on', sa.Date(), nullable=True),
        sa.Column('decided_by', sa.String(length=64), nullable=True),
        sa.Column('batch_id', sa.Integer(), nullable=True),
        sa.Column('created_by', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('row_version', sa.Integer(), server_default='1', nullable=False),
        sa.ForeignKeyConstraint(['hh_id'], ['household.hh_id'], name=op.f('fk_lead_hh_id_household'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['adcode'], ['region.adcode'], name=op.f('fk_lead_adcode_region')),
        sa.ForeignKeyConstraint(['batch_id'], ['import_batch.batch_id'], name=op.f('fk_lead_batch_id_import_batch')),
        sa.PrimaryKeyConstraint('lead_id', name=op.f('pk_lead')),
    )
    op.create_index(op.f('ix_lead_hh_id_status'), 'lead', ['hh_id', 'status'])
    op.create_index(op.f('ix_lead_adcode_status'), 'lead', ['adcode', 'status'])
    op.create_index(op.f('ix_lead_assignee_status'), 'lead', ['assignee', 'status'])
    op.create_table(
        'plan_item',
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('hh_id', sa.Integer(), nullable=False),
        sa.Column('aid_type', sa.String(length=8), nullable=False),
        sa.Column('responsible', sa.String(length=64), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('aid_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.String(length=255), nullable=True),
        sa.Column('created_by', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['hh_id'], ['household.hh_id'], name=op.f('fk_plan_item_hh_id_household'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['aid_id'], ['assistance.aid_id'], name=op.f('fk_plan_item_aid_id_assistance'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('item_id', name=op.f('pk_plan_item')),
    )
    op.create_index(op.f('ix_plan_item_hh_id_status'), 'plan_item', ['hh_id', 'status'])
    op.create_table(
        'elimination_request',
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('hh_id', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=8), nullable=False),
        sa.Column('checklist', sa.Text(), nullable=False),
        sa.Column('proposed_by', sa.String(length=64), nullable=False),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('decided_by', sa.String(length=64), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decision_note', sa.String(length=255), nullable=True),
        sa.Column('notice_until', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['hh_id'], ['household.hh_id'], name=op.f('fk_elimination_request_hh_id_household'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('request_id', name=op.f('pk_elimination_request')),
    )
    op.create_index(op.f('ix_elimination_request_hh_id_status'), 'elimination_request', ['hh_id', 'status'])
    op.create_table(
        'attachment',
        sa.Column('attachment_id', sa.Integer(), nullable=False),
        sa.Column('hh_id', sa.Integer(), nullable=True),
        sa.Column('lead_id', sa.Integer(), nullable=True),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('mime', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('uploaded_by', sa.String(length=64), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['hh_id'], ['household.hh_id'], name=op.f('fk_attachment_hh_id_household'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['lead_id'], ['lead.lead_id'], name=op.f('fk_attachment_lead_id_lead'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('attachment_id', name=op.f('pk_attachment')),
    )
    op.create_index(op.f('ix_attachment_hh_id'), 'attachment', ['hh_id'])
    op.create_index(op.f('ix_attachment_lead_id'), 'attachment', ['lead_id'])


def downgrade() -> None:
    for table in ('attachment', 'elimination_request', 'plan_item', 'lead', 'deadline_rule', 'work_calendar'):
        op.drop_table(table)
    with op.batch_alter_table('followup') as batch:
        batch.drop_column('created_by')
        batch.drop_column('visitor')
    with op.batch_alter_table('household') as batch:
        batch.drop_column('row_version')
        batch.drop_column('assignee')
