"""issue21_bulletins: lost-and-found and missing-person notices, and their private messages

Revision ID: c3a1b2d4e5f6
Revises: 5d1e0c7a9b42
Create Date: 2026-12-01 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'c3a1b2d4e5f6'
down_revision = '5d1e0c7a9b42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'bulletin',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('spot', sa.String(length=120), nullable=False),
        sa.Column('happened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('pinned_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('photos_public', sa.Boolean(), nullable=False),
        sa.Column('approved_by_id', sa.Integer(), nullable=True),
        sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('close_note', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'],
                                name=op.f('fk_bulletin_approved_by_id_user')),
        sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'],
                                name=op.f('fk_bulletin_closed_by_id_user')),
        sa.ForeignKeyConstraint(['thread_id'], ['thread.id'],
                                name=op.f('fk_bulletin_thread_id_thread'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_bulletin_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin')),
        sa.UniqueConstraint('thread_id', name=op.f('uq_bulletin_thread_id')),
    )
    with op.batch_alter_table('bulletin', schema=None) as batch_op:
        batch_op.create_index('ix_bulletin_state_created', ['state', 'created_at'], unique=False)
        batch_op.create_index('ix_bulletin_pinned_until', ['pinned_until'], unique=False)
        batch_op.create_index(batch_op.f('ix_bulletin_unit_id'), ['unit_id'], unique=False)
    op.create_table(
        'bulletin_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('bulletin_id', sa.Integer(), nullable=False),
        sa.Column('sender_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['answered_by_id'], ['user.id'],
                                name=op.f('fk_bulletin_message_answered_by_id_user')),
        sa.ForeignKeyConstraint(['bulletin_id'], ['bulletin.id'],
                                name=op.f('fk_bulletin_message_bulletin_id_bulletin'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['sender_id'], ['user.id'],
                                name=op.f('fk_bulletin_message_sender_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_message')),
    )
    with op.batch_alter_table('bulletin_message', schema=None) as batch_op:
        batch_op.create_index('ix_bulletin_message_bulletin', ['bulletin_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bulletin_message_sender_id'), ['sender_id'],
                              unique=False)


def downgrade():
    op.drop_table('bulletin_message')
    op.drop_table('bulletin')
