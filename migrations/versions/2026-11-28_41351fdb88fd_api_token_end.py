"""An end date on API tokens: a new token works for a chosen time; tokens made before keep working
until revoked (their end is left empty).

A nullable column: no table rebuild on SQLite.

Revision ID: 41351fdb88fd
Revises: 69dd821aedd3
Create Date: 2026-11-28 19:05:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '41351fdb88fd'
down_revision = '69dd821aedd3'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('api_token', sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    # Not in a batch: SQLite (3.35 and later) drops a column in place, with no rebuild.
    op.drop_column('api_token', 'expires_at')
