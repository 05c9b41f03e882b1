"""display tokens: a meeting-room wall screen's long-lived, read-only sign-in (issue 12 §1)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 08:00:00

- display_token: issued by an administrator for a region inside their scope; the link
  /meeting?display=<token> opens only the meeting screen, always masked, without idle expiry, until the
  token expires or is revoked. Only the token's SHA-256 is stored.
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'display_token',
        sa.Column('token_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('scope_adcode', sa.String(length=6), nullable=False),
        sa.Column('issued_by', sa.String(length=64), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_by', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['scope_adcode'], ['region.adcode'],
                                name=op.f('fk_display_token_scope_adcode_region')),
        sa.PrimaryKeyConstraint('token_id', name=op.f('pk_display_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_display_token_token_hash')),
    )


def downgrade() -> None:
    op.drop_table('display_token')
