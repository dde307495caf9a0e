"""Municipalities and units lose the change time that only kept pages read (pages are no longer kept);
their version stays, for the organisation pages' refusal of a save made from an older version.

Revision ID: da92d1d95f1e
Revises: 1232ac3f9292
Create Date: 2026-12-04 22:10:00.000000

"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'da92d1d95f1e'
down_revision = '1232ac3f9292'
branch_labels = None
depends_on = None

TABLES = ('municipality', 'unit')


def upgrade():
    # Not in a batch: SQLite (3.35 and later) drops a column in place, with no rebuild, which other
    # tables' foreign keys would restrict.
    for name in TABLES:
        op.drop_column(name, 'updated_at')


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(sep=' ', timespec='microseconds')
    for name in TABLES:
        op.add_column(
            name,
            sa.Column(
                'updated_at',
                sa.DateTime(timezone=True),
                server_default=now if sqlite else sa.func.now(),
                nullable=False,
            ),
        )
