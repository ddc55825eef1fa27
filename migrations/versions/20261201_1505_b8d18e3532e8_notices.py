"""notices: follows and 同问 counts, the notice outbox, per-person notice settings (issue 17)

Revision ID: b8d18e3532e8
Revises: a9b168cbfe67
Create Date: 2026-12-01 13:56:19.445369

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b8d18e3532e8"
down_revision = "a9b168cbfe67"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notice_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sms", sa.Boolean(), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.Column("email_address", sa.String(length=254), nullable=True),
        sa.Column("followed", sa.Boolean(), nullable=False),
        sa.Column("quiet_start", sa.String(length=5), nullable=False),
        sa.Column("quiet_end", sa.String(length=5), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_notice_settings_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notice_settings")),
    )
    op.create_table(
        "thread_follow",
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("same_question", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["thread.id"],
            name=op.f("fk_thread_follow_thread_id_thread"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_thread_follow_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("thread_id", "user_id", name=op.f("pk_thread_follow")),
    )
    with op.batch_alter_table("thread_follow", schema=None) as batch_op:
        batch_op.create_index(
            "ix_thread_follow_user_created", ["user_id", "created_at"], unique=False
        )

    op.create_table(
        "notice_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fanned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user.id"],
            name=op.f("fk_notice_event_actor_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_notice_event_post_id_post"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["user.id"],
            name=op.f("fk_notice_event_subject_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["thread.id"],
            name=op.f("fk_notice_event_thread_id_thread"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_event")),
    )
    with op.batch_alter_table("notice_event", schema=None) as batch_op:
        batch_op.create_index("ix_notice_event_due", ["fanned_at", "id"], unique=False)

    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("folded_into_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["notice_event.id"],
            name=op.f("fk_notice_event_id_notice_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["folded_into_id"],
            ["notice.id"],
            name=op.f("fk_notice_folded_into_id_notice"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["thread.id"],
            name=op.f("fk_notice_thread_id_thread"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_notice_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
    )
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.create_index("ix_notice_due", ["state", "not_before"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            "ix_notice_user_thread", ["user_id", "thread_id", "channel", "sent_at"], unique=False
        )

    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seen_live_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("detail", sa.String(length=300), nullable=True))

    with op.batch_alter_table("thread", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("same_question_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.create_index(
            "ix_thread_board_demand",
            ["board_id", "pinned", "same_question_count", "last_activity_at", "id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("thread", schema=None) as batch_op:
        batch_op.drop_index("ix_thread_board_demand")
        batch_op.drop_column("same_question_count")

    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("detail")
        batch_op.drop_column("seen_live_at")

    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_user_thread")
        batch_op.drop_index(batch_op.f("ix_notice_event_id"))
        batch_op.drop_index("ix_notice_due")

    op.drop_table("notice")
    with op.batch_alter_table("notice_event", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_event_due")

    op.drop_table("notice_event")
    with op.batch_alter_table("thread_follow", schema=None) as batch_op:
        batch_op.drop_index("ix_thread_follow_user_created")

    op.drop_table("thread_follow")
    op.drop_table("notice_settings")
