"""sending_flag: warnings and unmet requirements per sending, for the dashboard's counts

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sending_flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sending_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['sending_id'], ['sending.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sending_id', 'kind', 'code')
    )
    with op.batch_alter_table('sending_flag', schema=None) as batch_op:
        batch_op.create_index('ix_sending_flag_kind_code', ['kind', 'code'], unique=False)
        batch_op.create_index(batch_op.f('ix_sending_flag_sending_id'), ['sending_id'], unique=False)
    with op.batch_alter_table('sending', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sending_updated_at'), ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('sending', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sending_updated_at'))
    with op.batch_alter_table('sending_flag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sending_flag_sending_id'))
        batch_op.drop_index('ix_sending_flag_kind_code')
    op.drop_table('sending_flag')
