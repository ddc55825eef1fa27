"""sign_in_throttle: sign-in throttling per typed name (real or not) instead of user columns

Revision ID: d5f3b8a1c6e2
Revises: c4e1a9b5d7f2
Create Date: 2026-11-24 09:00:00

Issue 15, items 6 and 12: the old per-account lock (user.failed_logins, user.locked_until) let
anyone lock anyone out and answered differently for unknown names. The lock state of an account
is transient (at worst a few minutes), so it is not carried over.
"""
import sqlalchemy as sa
from alembic import op

revision = 'd5f3b8a1c6e2'
down_revision = 'c4e1a9b5d7f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_throttle',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lockouts', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_sign_in_throttle'))
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
    op.drop_table('sign_in_throttle')
