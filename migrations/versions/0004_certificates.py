"""Certificates, their audit log, stored PDFs and signing keys

Revision ID: 0004_certificates
Revises: 0003_submissions
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_certificates"
down_revision = "0003_submissions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate_signing_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_key_multibase', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_signing_keys')),
    sa.UniqueConstraint('public_key_multibase', name=op.f('uq_certificate_signing_keys_public_key_multibase'))
    )
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('recipient_name', sa.String(length=200), nullable=False),
    sa.Column('course_slug', sa.String(length=80), nullable=False),
    sa.Column('course_title_fr', sa.String(length=200), nullable=False),
    sa.Column('course_title_ar', sa.String(length=200), nullable=True),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('cohort_name', sa.String(length=160), nullable=True),
    sa.Column('place', sa.String(length=120), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issuer_name', sa.String(length=200), nullable=False),
    sa.Column('signatory_name', sa.String(length=200), nullable=False),
    sa.Column('signatory_title', sa.String(length=200), nullable=False),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revocation_reason', sa.Text(), nullable=True),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('credential_json', sa.Text(), nullable=False),
    sa.Column('verification_method', sa.String(length=255), nullable=False),
    sa.CheckConstraint("status IN ('issued', 'revoked')", name=op.f('ck_certificates_status')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_certificates_cohort_id_cohorts')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_certificates_course_id_courses')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_certificates_issued_by_id_users')),
    sa.ForeignKeyConstraint(['replaces_id'], ['certificates.id'], name=op.f('fk_certificates_replaces_id_certificates')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_certificates_revoked_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_certificates_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('code', name=op.f('uq_certificates_code')),
    sa.UniqueConstraint('uuid', name=op.f('uq_certificates_uuid'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_certificates_active_user_course', ['user_id', 'course_id'], unique=True, sqlite_where=sa.text("status = 'issued'"), postgresql_where=sa.text("status = 'issued'"))

    op.create_table('certificate_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=254), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_certificate_audit_actor_id_users')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_audit_certificate_id_certificates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_audit'))
    )
    with op.batch_alter_table('certificate_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_audit_certificate_id'), ['certificate_id'], unique=False)

    op.create_table('certificate_pdfs',
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_pdfs_certificate_id_certificates')),
    sa.PrimaryKeyConstraint('certificate_id', name=op.f('pk_certificate_pdfs'))
    )


def downgrade():
    op.drop_table('certificate_pdfs')
    with op.batch_alter_table('certificate_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_audit_certificate_id'))

    op.drop_table('certificate_audit')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('uq_certificates_active_user_course', sqlite_where=sa.text("status = 'issued'"), postgresql_where=sa.text("status = 'issued'"))
        batch_op.drop_index(batch_op.f('ix_certificates_user_id'))
        batch_op.drop_index(batch_op.f('ix_certificates_course_id'))
        batch_op.drop_index(batch_op.f('ix_certificates_cohort_id'))

    op.drop_table('certificates')
    op.drop_table('certificate_signing_keys')
