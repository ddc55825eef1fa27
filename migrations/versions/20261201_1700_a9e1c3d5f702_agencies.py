"""agencies: partner agencies (协作单位, issue 21), their invitations to threads, the account's
agency and a reply's agency badge.

Revision ID: a9e1c3d5f702
Revises: c1c4b0b9df5b
Create Date: 2026-12-01 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a9e1c3d5f702'
down_revision = 'c1c4b0b9df5b'
branch_labels = None
depends_on = None

# No table is rebuilt (see 77ed0c736078_who_answered): `user` gets its column by plain ALTER
# TABLE … ADD COLUMN, with its REFERENCES on SQLite.
_AGENCY_FK = 'fk_user_agency_id_agency'


def _has_column(table: str, column: str) -> bool:
    return column in {c['name'] for c in sa.inspect(op.get_bind()).get_columns(table)}


def _create_agency():
    op.create_table(
        'agency',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('contact', sa.String(length=120), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agency')),
        sa.UniqueConstraint('name', name=op.f('uq_agency_name')))


def upgrade():
    if not sa.inspect(op.get_bind()).has_table('agency'):  # kept by a SQLite downgrade
        _create_agency()
    op.create_table(
        'agency_invitation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], ondelete='CASCADE',
                                name=op.f('fk_agency_invitation_agency_id_agency')),
        sa.ForeignKeyConstraint(['invited_by_id'], ['user.id'],
                                name=op.f('fk_agency_invitation_invited_by_id_user')),
        sa.ForeignKeyConstraint(['thread_id'], ['thread.id'], ondelete='CASCADE',
                                name=op.f('fk_agency_invitation_thread_id_thread')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_invitation')),
        sa.UniqueConstraint('thread_id', 'agency_id', name='uq_agency_invitation_thread_agency'))
    op.create_index('ix_agency_invitation_agency', 'agency_invitation', ['agency_id', 'id'])
    op.add_column('post', sa.Column('agency_name', sa.String(length=80), nullable=True))
    if op.get_bind().dialect.name != 'sqlite':
        op.add_column('user', sa.Column('agency_id', sa.Integer(), nullable=True))
        op.create_foreign_key(_AGENCY_FK, 'user', 'agency', ['agency_id'], ['id'])
    elif not _has_column('user', 'agency_id'):  # kept by a SQLite downgrade
        op.execute('ALTER TABLE "user" ADD COLUMN agency_id INTEGER '
                   f'CONSTRAINT {_AGENCY_FK} REFERENCES agency (id)')
    op.create_index(op.f('ix_user_agency_id'), 'user', ['agency_id'])


def downgrade():
    op.drop_index(op.f('ix_user_agency_id'), table_name='user')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(_AGENCY_FK, 'user', type_='foreignkey')
        op.drop_column('user', 'agency_id')
    # SQLite: the nullable column stays, unused, and so does the table it references (dropping
    # it would break that reference); upgrade() reuses both.
    op.drop_column('post', 'agency_name')
    op.drop_index('ix_agency_invitation_agency', table_name='agency_invitation')
    op.drop_table('agency_invitation')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_table('agency')
