"""A version per series (team × measure), raised by every change of one of its months, and when the
series first changed; what is derived from a series (its analysis, its chart) is keyed by them.
Series that already hold months start at version 1, from their first month's entry.

Revision ID: 1232ac3f9292
Revises: 41351fdb88fd
Create Date: 2026-12-04 21:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '1232ac3f9292'
down_revision = '41351fdb88fd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'series_version',
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('measure_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('version >= 1', name=op.f('ck_series_version_version_positive')),
        sa.ForeignKeyConstraint(
            ['measure_id'], ['measure_definition.id'],
            name=op.f('fk_series_version_measure_id_measure_definition'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['team_id'], ['team.id'], name=op.f('fk_series_version_team_id_team'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('team_id', 'measure_id', name=op.f('pk_series_version')),
    )
    with op.batch_alter_table('series_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_series_version_measure_id'), ['measure_id'], unique=False)
    op.execute(
        "INSERT INTO series_version (team_id, measure_id, version, started_at) "
        "SELECT team_id, measure_id, 1, MIN(created_at) FROM measurement GROUP BY team_id, measure_id"
    )


def downgrade():
    with op.batch_alter_table('series_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_series_version_measure_id'))
    op.drop_table('series_version')
