"""Index submissions by trainee and last change, replacing the index on the trainee alone

Revision ID: 0005_submission_activity_index
Revises: 0004_certificates
"""

from alembic import op

revision = "0005_submission_activity_index"
down_revision = "0004_certificates"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_submissions_user_activity", ["user_id", "updated_at"], unique=False
        )
        batch_op.drop_index(batch_op.f("ix_submissions_user_id"))


def downgrade():
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submissions_user_id"), ["user_id"], unique=False)
        batch_op.drop_index("ix_submissions_user_activity")
