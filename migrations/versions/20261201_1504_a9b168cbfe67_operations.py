"""operations: worker leases, the photo store's blobs (PHOTO_STORE=database), and the request
id of each search job (issue 22)

Revision ID: a9b168cbfe67
Revises: 30dbd3a0eef2
Create Date: 2026-12-01 13:57:43.317970

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a9b168cbfe67'
down_revision = '30dbd3a0eef2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('photo_blob',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_photo_blob'))
    )
    op.create_table('worker_lease',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_worker_lease'))
    )
    with op.batch_alter_table('search_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=64), nullable=True))



def downgrade():
    with op.batch_alter_table('search_job', schema=None) as batch_op:
        batch_op.drop_column('request_id')

    op.drop_table('worker_lease')
    op.drop_table('photo_blob')
