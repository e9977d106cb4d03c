"""Server-side sessions (sign-out ends every copy of a cookie) and forced password changes

Revision ID: 0009_user_sessions
Revises: 0008_video_hand_ins
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_user_sessions"
down_revision = "0008_video_hand_ins"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
    )
    with op.batch_alter_table("user_sessions") as batch:
        batch.create_index(batch.f("ix_user_sessions_user_id"), ["user_id"], unique=False)
    # Sessions signed before this revision named a session version, which no longer exists:
    # everyone signs in again once.
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.drop_column("session_version")
    with op.batch_alter_table("users") as batch:
        batch.alter_column("must_change_password", server_default=None)


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="1")
        )
        batch.drop_column("must_change_password")
    with op.batch_alter_table("users") as batch:
        batch.alter_column("session_version", server_default=None)
    with op.batch_alter_table("user_sessions") as batch:
        batch.drop_index(batch.f("ix_user_sessions_user_id"))
    op.drop_table("user_sessions")
