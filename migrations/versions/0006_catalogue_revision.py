"""The catalogue's revision token, so that processes may keep workshop outlines until it changes

Revision ID: 0006_catalogue_revision
Revises: 0005_submission_activity_index
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_catalogue_revision"
down_revision = "0005_submission_activity_index"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "catalogue_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_revision")),
    )


def downgrade():
    op.drop_table("catalogue_revision")
