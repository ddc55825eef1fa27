"""issue20 bench: the dashboard's and open data's per-day pre-aggregate (daily_stat) and which
days are built and fresh (daily_stat_day). Empty at first: readers compute unbuilt days from the
rows, `flask stats rebuild` fills it (run it once after this upgrade on a large database).

Revision ID: 27fa8090e52d
Revises: 0b7f1f56bdd8
Create Date: 2026-12-01 16:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '27fa8090e52d'
down_revision = '0b7f1f56bdd8'
branch_labels = None
depends_on = None

BUCKETS = 48  # board/stats.py
MEASURES = (("threads", "asked", "within", "missed", "resolved", "dispatches",
             "s1", "s2", "s3", "s4", "s5")
            + tuple(f"fr{i}" for i in range(BUCKETS))
            + tuple(f"rs{i}" for i in range(BUCKETS)))


def upgrade():
    op.create_table(
        'daily_stat',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=8), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in MEASURES),
        sa.Column('key', sa.Integer(), nullable=False),
        sa.Column('public', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_stat')))
    with op.batch_alter_table('daily_stat', schema=None) as batch_op:
        batch_op.create_index('ix_daily_stat_scope_day', ['scope', 'day'], unique=False)
    op.create_table(
        'daily_stat_day',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('stale', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_daily_stat_day')))
    with op.batch_alter_table('daily_stat_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_daily_stat_day_stale'), ['stale'], unique=False)


def downgrade():
    with op.batch_alter_table('daily_stat_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_daily_stat_day_stale'))
    op.drop_table('daily_stat_day')
    with op.batch_alter_table('daily_stat', schema=None) as batch_op:
        batch_op.drop_index('ix_daily_stat_scope_day')
    op.drop_table('daily_stat')
