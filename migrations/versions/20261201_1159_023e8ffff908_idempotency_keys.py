"""idempotency_key: one submission (a form render, an API Idempotency-Key) stores one post

Revision ID: 023e8ffff908
Revises: f1b2c3d4e5a6
Create Date: 2026-12-01 11:59:38

Issue 15, item 9: a double-tapped post was stored twice. A key is unique per user and points at
the thread or reply its first submission created; keys older than a day no longer count.
"""
import sqlalchemy as sa
from alembic import op

revision = '023e8ffff908'
down_revision = 'f1b2c3d4e5a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('idempotency_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'],
                            name=op.f('fk_idempotency_key_post_id_post'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['thread.id'],
                            name=op.f('fk_idempotency_key_thread_id_thread'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                            name=op.f('fk_idempotency_key_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_key')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_idempotency_key_user_id'))
    )
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_key_created_at'), ['created_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_idempotency_key_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idempotency_key_thread_id'), ['thread_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_key_thread_id'))
        batch_op.drop_index(batch_op.f('ix_idempotency_key_post_id'))
        batch_op.drop_index(batch_op.f('ix_idempotency_key_created_at'))

    op.drop_table('idempotency_key')
