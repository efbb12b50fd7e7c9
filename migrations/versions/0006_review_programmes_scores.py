"""review workflow: versions, comments, programmes, per-dimension scores

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('programme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['advisor.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sending', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('revising', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_sending_programme_id'), ['programme_id'], unique=False)
        batch_op.create_foreign_key(
            'fk_sending_programme_id_programme', 'programme', ['programme_id'], ['id'],
            ondelete='SET NULL',
        )

    op.create_table('sending_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sending_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=40), nullable=False),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('level', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('counted', sa.Boolean(), nullable=False),
    sa.Column('point', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['sending_id'], ['sending.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sending_id', 'dimension')
    )
    with op.batch_alter_table('sending_score', schema=None) as batch_op:
        batch_op.create_index('ix_sending_score_dimension_level', ['dimension', 'level'], unique=False)
        batch_op.create_index('ix_sending_score_dimension_score', ['dimension', 'score'], unique=False)
        batch_op.create_index('ix_sending_score_portfolio', ['counted', 'role', 'dimension', 'point'], unique=False)
        batch_op.create_index(batch_op.f('ix_sending_score_sending_id'), ['sending_id'], unique=False)

    op.create_table('sending_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sending_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('questionnaire_version', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('scenario', sa.JSON(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sending_id'], ['sending.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sending_id', 'number')
    )
    with op.batch_alter_table('sending_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sending_version_sending_id'), ['sending_id'], unique=False)

    op.create_table('review_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sending_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('question_id', sa.String(length=60), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('advisor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('released', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['advisor_id'], ['advisor.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sending_id'], ['sending.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('review_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_comment_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_comment_sending_id'), ['sending_id'], unique=False)


def downgrade():
    with op.batch_alter_table('review_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_comment_sending_id'))
        batch_op.drop_index(batch_op.f('ix_review_comment_kind'))
    op.drop_table('review_comment')
    with op.batch_alter_table('sending_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sending_version_sending_id'))
    op.drop_table('sending_version')
    with op.batch_alter_table('sending_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sending_score_sending_id'))
        batch_op.drop_index('ix_sending_score_portfolio')
        batch_op.drop_index('ix_sending_score_dimension_score')
        batch_op.drop_index('ix_sending_score_dimension_level')
    op.drop_table('sending_score')
    with op.batch_alter_table('sending', schema=None) as batch_op:
        batch_op.drop_constraint('fk_sending_programme_id_programme', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_sending_programme_id'))
        batch_op.drop_column('revising')
        batch_op.drop_column('version')
        batch_op.drop_column('programme_id')
    op.drop_table('programme')
