"""Board version stamp: bumped on every write to a board's threads, keys the page caches.

Revision ID: b7c2d9e4f001
Revises: a1a3ca1ca72f
Create Date: 2026-11-23 07:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7c2d9e4f001'
down_revision = 'a1a3ca1ca72f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('board', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('board', schema=None) as batch_op:
        batch_op.drop_column('version')
