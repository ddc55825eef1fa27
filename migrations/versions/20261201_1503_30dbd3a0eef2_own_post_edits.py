"""own_post_edits: residents edit and withdraw their own threads and replies (issue 18)

Revision ID: 30dbd3a0eef2
Revises: 1fd2cf8d07a0
Create Date: 2026-12-01 15:00:00

`revision` keeps each version an edit or a withdrawal replaced; `thread.edited_at` and
`withdrawn_at` (`post.edited_at` already exists) mark the change; `thread.last_official_reply_at`
closes the author's edit window, backfilled from the official replies written before.
"""
import sqlalchemy as sa
from alembic import op

_THREAD = sa.table("thread", sa.column("id", sa.Integer),
                   sa.column("last_official_reply_at", sa.DateTime(timezone=True)))
_POST = sa.table("post", sa.column("thread_id", sa.Integer), sa.column("official", sa.Boolean),
                 sa.column("created_at", sa.DateTime(timezone=True)))


# revision identifiers, used by Alembic.
revision = '30dbd3a0eef2'
down_revision = '1fd2cf8d07a0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('location', sa.String(length=120), nullable=True),
    sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['editor_id'], ['user.id'], name=op.f('fk_revision_editor_id_user')),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_revision_post_id_post'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['thread.id'],
                            name=op.f('fk_revision_thread_id_thread'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revision'))
    )
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.create_index('ix_revision_target', ['thread_id', 'post_id', 'id'], unique=False)

    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_official_reply_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))

    last = (sa.select(sa.func.max(_POST.c.created_at))
            .where(_POST.c.thread_id == _THREAD.c.id, _POST.c.official.is_(True))
            .scalar_subquery())
    op.execute(_THREAD.update().values(last_official_reply_at=last))


def downgrade():
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('edited_at')
        batch_op.drop_column('last_official_reply_at')

    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')

    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.drop_index('ix_revision_target')

    op.drop_table('revision')
