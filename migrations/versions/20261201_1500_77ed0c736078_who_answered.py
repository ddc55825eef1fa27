"""who_answered: a reply's part (unit, 领导回复, 协助回复) and formal answer; the credited unit
(issue 18)

Backfill, with each author's unit as it is now (the best record there is): officials' replies
get their part; the responsible unit's replies are formal answers. A thread's first response
moves to its first formal answer when it has one (a leader's earlier reply no longer takes the
unit's response time), else stays as it was; the credited unit is the first responder's. No
thread's status changes.

Revision ID: 77ed0c736078
Revises: 0a1b2c3d4e5f
Create Date: 2026-12-01 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '77ed0c736078'
down_revision = '0a1b2c3d4e5f'
branch_labels = None
depends_on = None

_ROLES = sa.text("""
UPDATE post SET answer_role = CASE
  WHEN (SELECT u.role FROM "user" u WHERE u.id = post.author_id) = 'leader' THEN 'leader'
  WHEN EXISTS (SELECT 1 FROM "user" u, thread t, board_unit bu
               WHERE u.id = post.author_id AND t.id = post.thread_id
                 AND bu.board_id = t.board_id AND bu.unit_id = u.unit_id)
    OR EXISTS (SELECT 1 FROM "user" u, thread t
               WHERE u.id = post.author_id AND t.id = post.thread_id
                 AND t.dispatched_unit_id = u.unit_id) THEN 'unit'
  ELSE 'assist' END
WHERE official = :yes
""")
_FORMAL = sa.text("UPDATE post SET formal_answer = :yes WHERE answer_role = 'unit'")
_FIRST = """
UPDATE thread SET {column} = (
  SELECT p.{source} FROM post p WHERE p.thread_id = thread.id AND p.formal_answer = :yes
  ORDER BY p.created_at, p.id LIMIT 1)
WHERE EXISTS (SELECT 1 FROM post p WHERE p.thread_id = thread.id AND p.formal_answer = :yes)
"""
_UNIT = sa.text("""
UPDATE thread SET first_response_unit_id = (
  SELECT u.unit_id FROM "user" u WHERE u.id = thread.first_responder_id)
WHERE first_responder_id IS NOT NULL AND first_response_at IS NOT NULL
""")


def upgrade():
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_role', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('formal_answer', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_response_unit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_thread_first_response_unit_id_unit'),
                                    'unit', ['first_response_unit_id'], ['id'])
    bind = op.get_bind()
    bind.execute(_ROLES, {"yes": True})
    bind.execute(_FORMAL, {"yes": True})
    bind.execute(sa.text(_FIRST.format(column="first_response_at", source="created_at")),
                 {"yes": True})
    bind.execute(sa.text(_FIRST.format(column="first_responder_id", source="author_id")),
                 {"yes": True})
    bind.execute(_UNIT)


def downgrade():
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_thread_first_response_unit_id_unit'),
                                 type_='foreignkey')
        batch_op.drop_column('first_response_unit_id')
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_column('formal_answer')
        batch_op.drop_column('answer_role')
