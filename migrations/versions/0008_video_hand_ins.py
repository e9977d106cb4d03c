"""Cohorts a video was handed in to: access to a trainee's video follows its hand-ins

Revision ID: 0008_video_hand_ins
Revises: 0007_certificate_status_list
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_video_hand_ins"
down_revision = "0007_certificate_status_list"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "video_hand_ins",
        sa.Column("media_item_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_video_hand_ins_cohort_id_cohorts")
        ),
        sa.ForeignKeyConstraint(
            ["media_item_id"],
            ["media_items.id"],
            name=op.f("fk_video_hand_ins_media_item_id_media_items"),
        ),
        sa.PrimaryKeyConstraint("media_item_id", "cohort_id", name=op.f("pk_video_hand_ins")),
    )
    # Videos handed in before: the cohort of each submission that holds them.
    op.execute(
        "INSERT INTO video_hand_ins (media_item_id, cohort_id, created_at) "
        "SELECT v.media_item_id, s.cohort_id, MIN(v.submitted_at) "
        "FROM submission_versions v JOIN submissions s ON s.id = v.submission_id "
        "WHERE v.media_item_id IS NOT NULL AND v.submitted_at IS NOT NULL "
        "GROUP BY v.media_item_id, s.cohort_id"
    )


def downgrade():
    op.drop_table("video_hand_ins")
