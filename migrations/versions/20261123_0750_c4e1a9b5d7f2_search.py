"""search: the durable search-job queue; on PostgreSQL, thread.search_vector (tsvector + GIN)

Revision ID: c4e1a9b5d7f2
Revises: b7c2d9e4f001
Create Date: 2026-11-23 07:50:00

The tsvector column and its GIN index exist only on PostgreSQL (the search backend there); on
SQLite that part is a no-op, and the ORM model of thread does not map the columns at all.
"""
import sqlalchemy as sa
from alembic import op

revision = 'c4e1a9b5d7f2'
down_revision = 'b7c2d9e4f001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('not_before', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_job'))
    )
    with op.batch_alter_table('search_job', schema=None) as batch_op:
        batch_op.create_index('ix_search_job_due', ['not_before', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_job_thread_id'), ['thread_id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE thread ADD COLUMN search_vector tsvector')
        op.execute('ALTER TABLE thread ADD COLUMN search_fp varchar(40)')
        op.execute('CREATE INDEX ix_thread_search_vector ON thread USING gin (search_vector)')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_thread_search_vector')
        op.execute('ALTER TABLE thread DROP COLUMN IF EXISTS search_fp')
        op.execute('ALTER TABLE thread DROP COLUMN IF EXISTS search_vector')
    with op.batch_alter_table('search_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_job_thread_id'))
        batch_op.drop_index('ix_search_job_due')
    op.drop_table('search_job')
