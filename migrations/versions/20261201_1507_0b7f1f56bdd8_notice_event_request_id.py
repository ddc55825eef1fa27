"""notice_event.request_id: the request that caused a notice, for the worker's log (issue 22)

Revision ID: 0b7f1f56bdd8
Revises: b7e20c4a91d5
Create Date: 2026-12-01 15:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0b7f1f56bdd8'
down_revision = 'b7e20c4a91d5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notice_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('notice_event', schema=None) as batch_op:
        batch_op.drop_column('request_id')
