"""advisor.totp_last_step: a TOTP code is accepted once

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('advisor', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('advisor', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
