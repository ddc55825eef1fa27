"""issue20 bench: month roll-ups of the per-day pre-aggregate (daily_stat_month), filled here
from daily_stat; daily_stat.scope widened to 12 ("supervised" has 10 letters: PostgreSQL
refused the row in a VARCHAR(8)).

Revision ID: 5d1e0c7a9b42
Revises: a9e1c3d5f702
Create Date: 2026-12-01 17:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '5d1e0c7a9b42'
down_revision = 'a9e1c3d5f702'
branch_labels = None
depends_on = None

BUCKETS = 48  # board/stats.py
MEASURES = (("threads", "asked", "within", "missed", "resolved", "dispatches",
             "s1", "s2", "s3", "s4", "s5")
            + tuple(f"fr{i}" for i in range(BUCKETS))
            + tuple(f"rs{i}" for i in range(BUCKETS)))


def upgrade():
    with op.batch_alter_table('daily_stat', schema=None) as batch_op:
        batch_op.alter_column('scope', existing_type=sa.String(length=8),
                              type_=sa.String(length=12), existing_nullable=False)
    op.create_table(
        'daily_stat_month',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=12), nullable=False),
        sa.Column('key', sa.Integer(), nullable=False),
        sa.Column('public', sa.Boolean(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in MEASURES),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_stat_month')))
    with op.batch_alter_table('daily_stat_month', schema=None) as batch_op:
        batch_op.create_index('ix_daily_stat_month_scope_month', ['scope', 'month'],
                              unique=False)
    columns = ", ".join(MEASURES)
    sums = ", ".join(f"sum({name})" for name in MEASURES)
    op.execute(f"INSERT INTO daily_stat_month (month, scope, key, public, {columns}) "
               f"SELECT month, scope, key, public, {sums} FROM daily_stat "
               "GROUP BY month, scope, key, public")


def downgrade():
    with op.batch_alter_table('daily_stat_month', schema=None) as batch_op:
        batch_op.drop_index('ix_daily_stat_month_scope_month')
    op.drop_table('daily_stat_month')
    with op.batch_alter_table('daily_stat', schema=None) as batch_op:
        batch_op.alter_column('scope', existing_type=sa.String(length=12),
                              type_=sa.String(length=8), existing_nullable=False)
