"""assessment.view_token: a read-only link beside the secret link, which its respondent revokes

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('view_token', sa.String(length=43), nullable=True))
        batch_op.create_index(batch_op.f('ix_assessment_view_token'), ['view_token'], unique=True)


def downgrade():
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_view_token'))
        batch_op.drop_column('view_token')
