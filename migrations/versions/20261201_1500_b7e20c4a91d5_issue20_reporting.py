"""issue20_reporting: dispatches by day (dashboard, open data)

Revision ID: b7e20c4a91d5
Revises: 0a1b2c3d4e5f
Create Date: 2026-12-01 15:00:00
"""
from alembic import op

revision = 'b7e20c4a91d5'
down_revision = '0a1b2c3d4e5f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.create_index('ix_thread_dispatched_at', ['dispatched_at'], unique=False)


def downgrade():
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.drop_index('ix_thread_dispatched_at')
