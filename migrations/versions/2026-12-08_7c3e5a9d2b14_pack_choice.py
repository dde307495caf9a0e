"""What a learning-session pack holds: the facilitator's choice of teams, measures and a text per
team (session_pack.choice, JSON), and the key of what was asked for (session_pack.request_key), so
that asking again for the same content finds the pack already made. Packs made before have no
choice (everything) and no key.

Revision ID: 7c3e5a9d2b14
Revises: 3f1c9a7e5b20
Create Date: 2026-12-05 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c3e5a9d2b14'
down_revision = "3f1c9a7e5b20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('session_pack', schema=None) as batch_op:
        batch_op.add_column(sa.Column('choice', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('request_key', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('session_pack', schema=None) as batch_op:
        batch_op.drop_column('request_key')
        batch_op.drop_column('choice')
