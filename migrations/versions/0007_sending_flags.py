"""sending_flag: warnings and unmet requirements per sending, for the dashboard's counts

Sendings made before 0006 get their per-dimension score rows and their flag rows here, from
their stored results, so that the list's filters and the dashboard count them too.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00.000000

"""
import math

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
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('counted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['sending_id'], ['sending.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sending_id', 'kind', 'code')
    )
    with op.batch_alter_table('sending_flag', schema=None) as batch_op:
        batch_op.create_index('ix_sending_flag_kind_code', ['kind', 'code'], unique=False)
        batch_op.create_index('ix_sending_flag_portfolio', ['counted', 'role', 'kind', 'code'], unique=False)
        batch_op.create_index(batch_op.f('ix_sending_flag_sending_id'), ['sending_id'], unique=False)
    with op.batch_alter_table('sending', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sending_updated_at'), ['updated_at'], unique=False)
    backfill()


def backfill():
    """Score and flag rows for the sendings that have none, from their assessments' results."""
    connection = op.get_bind()
    sending = sa.table('sending', sa.column('id'), sa.column('assessment_id'), sa.column('role'),
                       sa.column('status'))
    assessment = sa.table('assessment', sa.column('id'), sa.column('result', sa.JSON()))
    score = sa.table('sending_score', sa.column('sending_id'), sa.column('dimension'),
                     sa.column('score'), sa.column('level'), sa.column('status'),
                     sa.column('role'), sa.column('counted'), sa.column('point'))
    flag = sa.table('sending_flag', sa.column('sending_id'), sa.column('kind'),
                    sa.column('code'), sa.column('role'), sa.column('counted'))
    scored = sa.select(score.c.sending_id).distinct()
    rows = connection.execute(
        sa.select(sending.c.id, sending.c.role, sending.c.status, assessment.c.result)
        .join(assessment, assessment.c.id == sending.c.assessment_id)
        .where(sending.c.id.not_in(scored))
    ).all()
    scores, flags = [], []
    for sending_id, role, status, result in rows:
        result = result or {}
        counted = status != 'withdrawn'
        for d in result.get('dimensions', []):
            value = d.get('score')
            scores.append({
                'sending_id': sending_id, 'dimension': d['id'], 'score': value,
                'level': d.get('level'), 'status': d.get('status', 'scored'), 'role': role,
                'counted': counted,
                'point': None if value is None else int(math.floor(value + 0.5)),
            })
        codes = {('flag', f['id']) for f in result.get('flags', [])}
        codes |= {('requirement', r['id']) for r in result.get('requirements', [])
                  if not r.get('met') and r.get('applicable', True)}
        flags.extend({'sending_id': sending_id, 'kind': kind, 'code': code, 'role': role,
                      'counted': counted} for kind, code in sorted(codes))
    if scores:
        connection.execute(score.insert(), scores)
    if flags:
        connection.execute(flag.insert(), flags)


def downgrade():
    with op.batch_alter_table('sending', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sending_updated_at'))
    with op.batch_alter_table('sending_flag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sending_flag_sending_id'))
        batch_op.drop_index('ix_sending_flag_portfolio')
        batch_op.drop_index('ix_sending_flag_kind_code')
    op.drop_table('sending_flag')
