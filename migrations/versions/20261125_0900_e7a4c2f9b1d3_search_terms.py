"""search_terms: admins' synonym groups and the queries residents did not find (issue 16)

Revision ID: e7a4c2f9b1d3
Revises: d5f3b8a1c6e2
Create Date: 2026-11-25 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'e7a4c2f9b1d3'
down_revision = 'd5f3b8a1c6e2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_synonym',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'],
                            name=op.f('fk_search_synonym_created_by_id_user'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_synonym'))
    )
    op.create_table('search_miss',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('query', sa.String(length=100), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('results', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_miss')),
    sa.UniqueConstraint('day', 'query', name='uq_search_miss_day_query')
    )
    with op.batch_alter_table('search_miss', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_miss_day'), ['day'], unique=False)


def downgrade():
    with op.batch_alter_table('search_miss', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_miss_day'))
    op.drop_table('search_miss')
    op.drop_table('search_synonym')
