"""issue20_reporting: dispatches by day (dashboard, open data); partner API keys (Open311)

Revision ID: b7e20c4a91d5
Revises: b8d18e3532e8
Create Date: 2026-12-01 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'b7e20c4a91d5'
down_revision = 'b8d18e3532e8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.create_index('ix_thread_dispatched_at', ['dispatched_at'], unique=False)
    op.create_table(
        'partner_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=12), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['user.id'],
                                name=op.f('fk_partner_key_account_id_user')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'],
                                name=op.f('fk_partner_key_created_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_key')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_partner_key_key_hash')),
    )


def downgrade():
    op.drop_table('partner_key')
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.drop_index('ix_thread_dispatched_at')
