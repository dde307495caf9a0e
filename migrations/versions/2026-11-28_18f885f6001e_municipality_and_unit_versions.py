"""A version and a change time on municipalities and units: kept pages that show their names notice a rename.

Existing rows start at version 1, changed at the time of the upgrade. SQLite cannot rebuild these
tables here (other tables' foreign keys restrict it), so it adds the change time with the upgrade's
time as a constant default and keeps that default; the app always sets the time itself.

Revision ID: 18f885f6001e
Revises: 9b9567ce9d62
Create Date: 2026-11-28 18:28:10.702044

"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '18f885f6001e'
down_revision = '9b9567ce9d62'
branch_labels = None
depends_on = None

TABLES = ('municipality', 'unit')


def upgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(sep=' ', timespec='microseconds')
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
            batch_op.add_column(
                sa.Column(
                    'updated_at',
                    sa.DateTime(timezone=True),
                    server_default=now if sqlite else sa.func.now(),
                    nullable=False,
                )
            )
        if not sqlite:
            with op.batch_alter_table(name, schema=None) as batch_op:
                batch_op.alter_column('updated_at', existing_type=sa.DateTime(timezone=True), server_default=None)


def downgrade():
    # Not in a batch: SQLite (3.35 and later) drops a column in place, with no rebuild.
    for name in reversed(TABLES):
        op.drop_column(name, 'updated_at')
        op.drop_column(name, 'version')
