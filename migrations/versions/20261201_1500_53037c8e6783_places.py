"""places: districts, streets and communities with the station whose 辖区 holds each; a thread's
structured place (issue 18)

Revision ID: 53037c8e6783
Revises: 0a1b2c3d4e5f
Create Date: 2026-12-01 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '53037c8e6783'
down_revision = '0a1b2c3d4e5f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'place',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=12), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('level', sa.String(length=12), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('aliases', sa.JSON(), nullable=False),
        sa.Column('lat', sa.Float(), nullable=True),
        sa.Column('lng', sa.Float(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['parent_id'], ['place.id'], name=op.f('fk_place_parent_id_place')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_place_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_place')),
        sa.UniqueConstraint('code', name=op.f('uq_place_code')),
    )
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_thread_place_id_place'), 'place',
                                    ['place_id'], ['id'])


def downgrade():
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_thread_place_id_place'), type_='foreignkey')
        batch_op.drop_column('place_id')
    op.drop_table('place')
