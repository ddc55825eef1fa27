"""who_answered: a reply's part (unit, 领导回复, 协助回复) and formal answer; the credited unit
(issue 18)

Backfill, with each author's unit as it is now (the best record there is): officials' replies
get their part; the responsible unit's replies are formal answers. A thread's first response
moves to its first formal answer when it has one (a leader's earlier reply no longer takes the
unit's response time), else stays as it was; the credited unit is the first responder's. No
thread's status changes.

Revision ID: 77ed0c736078
Revises: 53037c8e6783
Create Date: 2026-12-01 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '77ed0c736078'
down_revision = '53037c8e6783'
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


# No table is rebuilt: SQLite's batch mode copies a table and drops the old one, and with foreign
# keys on (board/__init__.py) dropping `thread` would cascade-delete every reply and escalation.
# Plain ALTER TABLE … ADD COLUMN (with its REFERENCES) needs no rebuild on either database.
_UNIT_FK = 'fk_thread_first_response_unit_id_unit'


def _has_column(table: str, column: str) -> bool:
    return column in {c['name'] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade():
    op.add_column('post', sa.Column('answer_role', sa.String(length=10), nullable=True))
    op.add_column('post', sa.Column('formal_answer', sa.Boolean(), nullable=False,
                                    server_default=sa.false()))
    if op.get_bind().dialect.name != 'sqlite':
        op.add_column('thread', sa.Column('first_response_unit_id', sa.Integer(), nullable=True))
        op.create_foreign_key(_UNIT_FK, 'thread', 'unit', ['first_response_unit_id'], ['id'])
    elif not _has_column('thread', 'first_response_unit_id'):  # kept by a SQLite downgrade
        op.execute('ALTER TABLE thread ADD COLUMN first_response_unit_id INTEGER '
                   f'CONSTRAINT {_UNIT_FK} REFERENCES unit (id)')
    bind = op.get_bind()
    bind.execute(_ROLES, {"yes": True})
    bind.execute(_FORMAL, {"yes": True})
    bind.execute(sa.text(_FIRST.format(column="first_response_at", source="created_at")),
                 {"yes": True})
    bind.execute(sa.text(_FIRST.format(column="first_responder_id", source="author_id")),
                 {"yes": True})
    bind.execute(_UNIT)


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(_UNIT_FK, 'thread', type_='foreignkey')
        op.drop_column('thread', 'first_response_unit_id')
    # SQLite cannot drop a column that has a foreign key without rebuilding the table (see
    # above): the nullable column stays, unused, and upgrade() reuses it.
    op.drop_column('post', 'formal_answer')
    op.drop_column('post', 'answer_role')
