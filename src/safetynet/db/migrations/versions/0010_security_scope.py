"""security: sessions that survive a reload, scoped audit rows, batches and saved views (issue 17, issue 12)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 06:00:00

- app_session: a signed-in browser, by the sha256 of its HttpOnly cookie (a reload or a new tab stays
  signed in); app_user.session_epoch ends every session of an account that is disabled or whose password
  is reset.
- audit_log.region_adcode and import_batch.scope_adcode: what an administrator may read is bounded by
  their scope. Rows written before this migration get the scope of the user who wrote them when that user
  exists; the rest stay NULL, which only nationwide administrators read.
- saved_view: a view belongs to its owner (unique per owner, page and name instead of globally) and is
  shared within the owner's scope only when the owner says so. Existing views were everyone's: they keep
  their owner and become private to it; views without an owner are shared nationwide as before.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('app_user') as batch:
        batch.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False, server_default='0'))
    op.create_table(
        'app_session',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('epoch', sa.Integer(), nullable=False),
        sa.Column('signed_in_at', sa.DateTime(), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.user_id'], name=op.f('fk_app_session_user_id_app_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_app_session')),
    )
    op.create_index(op.f('ix_app_session_user_id'), 'app_session', ['user_id'])

    with op.batch_alter_table('audit_log') as batch:
        batch.add_column(sa.Column('region_adcode', sa.String(length=6), nullable=True))
    op.create_index(op.f('ix_audit_log_region_adcode_at'), 'audit_log', ['region_adcode', 'at'])
    op.execute("UPDATE audit_log SET region_adcode = (SELECT scope_adcode FROM app_user "
               "WHERE app_user.username = audit_log.user_name)")

    with op.batch_alter_table('import_batch') as batch:
        batch.add_column(sa.Column('scope_adcode', sa.String(length=6), nullable=True))
    op.execute("UPDATE import_batch SET scope_adcode = (SELECT scope_adcode FROM app_user "
               "WHERE app_user.username = import_batch.user_name)")

    with op.batch_alter_table('saved_view') as batch:
        batch.add_column(sa.Column('shared', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('scope_adcode', sa.String(length=6), nullable=True))
        batch.drop_constraint('uq_saved_view_name', type_='unique')
        batch.create_unique_constraint(op.f('uq_saved_view_owner_page_name'), ['owner', 'page', 'name'])
    op.execute("UPDATE saved_view SET scope_adcode = (SELECT scope_adcode FROM app_user "
               "WHERE app_user.username = saved_view.owner)")
    op.execute(sa.text("UPDATE saved_view SET shared = :yes, scope_adcode = '000000' WHERE owner IS NULL")
               .bindparams(yes=True))


def downgrade() -> None:
    with op.batch_alter_table('saved_view') as batch:
        batch.drop_constraint('uq_saved_view_owner_page_name', type_='unique')
        batch.create_unique_constraint(op.f('uq_saved_view_name'), ['name'])
        batch.drop_column('scope_adcode')
        batch.drop_column('shared')
    with op.batch_alter_table('import_batch') as batch:
        batch.drop_column('scope_adcode')
    op.drop_index(op.f('ix_audit_log_region_adcode_at'), table_name='audit_log')
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_column('region_adcode')
    op.drop_index(op.f('ix_app_session_user_id'), table_name='app_session')
    op.drop_table('app_session')
    with op.batch_alter_table('app_user') as batch:
        batch.drop_column('session_epoch')
