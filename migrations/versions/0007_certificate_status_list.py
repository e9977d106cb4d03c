"""Certificates' revocation status list index, its counter, and compromised signing keys

Revision ID: 0007_certificate_status_list
Revises: 0006_catalogue_revision
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_certificate_status_list"
down_revision = "0006_catalogue_revision"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("status_list_index", sa.Integer(), nullable=True))
    # Existing certificates get distinct bits (their credentials were signed without a
    # credentialStatus, but the bit still records a revocation for the lists' readers).
    op.execute("UPDATE certificates SET status_list_index = id - 1")
    with op.batch_alter_table("certificates") as batch:
        batch.alter_column("status_list_index", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(
            op.f("uq_certificates_status_list_index"), ["status_list_index"]
        )
    with op.batch_alter_table("certificate_signing_keys") as batch:
        batch.add_column(sa.Column("compromised_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "certificate_status_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("next_index", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_status_counter")),
    )
    op.execute(
        "INSERT INTO certificate_status_counter (id, next_index) "
        "SELECT 1, COALESCE(MAX(id), 0) FROM certificates"
    )


def downgrade():
    op.drop_table("certificate_status_counter")
    with op.batch_alter_table("certificate_signing_keys") as batch:
        batch.drop_column("compromised_at")
    with op.batch_alter_table("certificates") as batch:
        batch.drop_constraint(op.f("uq_certificates_status_list_index"), type_="unique")
        batch.drop_column("status_list_index")
