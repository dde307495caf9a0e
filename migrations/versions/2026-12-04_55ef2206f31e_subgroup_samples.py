"""The value kind 'samples' is stored as 'subgroup_samples', the name measures knows it by, so that
the chart choice (measures.choice) finds it; the CHECK constraints on measure templates and
definitions follow.

On SQLite each table is rebuilt twice (batch mode): once without the old constraint, so that the
rows can be renamed, and once with the new one.

Revision ID: 55ef2206f31e
Revises: da92d1d95f1e
Create Date: 2026-12-04 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '55ef2206f31e'
down_revision = 'da92d1d95f1e'
branch_labels = None
depends_on = None

TABLES = ('measure_template', 'measure_definition')
# The value kinds whose names stay as they were.
KEPT = ('proportion', 'rate', 'count', 'continuous', 'days_between', 'cases_between')


def upgrade():
    _rename('samples', 'subgroup_samples')


def downgrade():
    _rename('subgroup_samples', 'samples')


def _rename(old, new):
    allowed = ', '.join(f"'{kind}'" for kind in KEPT + (new,))
    for table in TABLES:
        name = op.f(f'ck_{table}_value_kind')
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(name, type_='check')
        rows = sa.table(table, sa.column('value_kind'))
        op.execute(rows.update().where(rows.c.value_kind == old).values(value_kind=new))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(name, f'value_kind IN ({allowed})')
