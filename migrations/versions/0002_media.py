"""Media: uploaded videos, resumable uploads, time-stamped comments

Revision ID: 0002_media
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_media"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('media_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('content_sha256', sa.String(length=64), nullable=True),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress_percent', sa.Integer(), nullable=False),
    sa.Column('rejection_reason', sa.String(length=64), nullable=True),
    sa.Column('rejection_params', sa.JSON(), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('probe', sa.JSON(), nullable=True),
    sa.Column('renditions', sa.JSON(), nullable=True),
    sa.Column('duration_seconds', sa.Double(), nullable=True),
    sa.Column('worker', sa.String(length=128), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_media_items_course_id_courses')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_media_items_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_items')),
    sa.UniqueConstraint('token', name=op.f('uq_media_items_token'))
    )
    with op.batch_alter_table('media_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_items_content_sha256'), ['content_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_items_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_items_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_items_status'), ['status'], unique=False)

    op.create_table('media_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('media_item_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('length', sa.BigInteger(), nullable=False),
    sa.Column('offset', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['media_item_id'], ['media_items.id'], name=op.f('fk_media_uploads_media_item_id_media_items')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_media_uploads_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_uploads')),
    sa.UniqueConstraint('token', name=op.f('uq_media_uploads_token'))
    )
    with op.batch_alter_table('media_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_uploads_media_item_id'), ['media_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_uploads_owner_id'), ['owner_id'], unique=False)

    op.create_table('video_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('media_item_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('at_seconds', sa.Float(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_video_comments_author_id_users')),
    sa.ForeignKeyConstraint(['media_item_id'], ['media_items.id'], name=op.f('fk_video_comments_media_item_id_media_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_comments'))
    )
    with op.batch_alter_table('video_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_video_comments_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_video_comments_media_item_id'), ['media_item_id'], unique=False)


def downgrade():
    with op.batch_alter_table('video_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_video_comments_media_item_id'))
        batch_op.drop_index(batch_op.f('ix_video_comments_author_id'))

    op.drop_table('video_comments')
    with op.batch_alter_table('media_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_uploads_owner_id'))
        batch_op.drop_index(batch_op.f('ix_media_uploads_media_item_id'))

    op.drop_table('media_uploads')
    with op.batch_alter_table('media_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_items_status'))
        batch_op.drop_index(batch_op.f('ix_media_items_owner_id'))
        batch_op.drop_index(batch_op.f('ix_media_items_course_id'))
        batch_op.drop_index(batch_op.f('ix_media_items_content_sha256'))

    op.drop_table('media_items')
