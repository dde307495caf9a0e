"""When an administrator last changed a user account: kept pages that show people's names notice a rename.

Existing accounts start without one (nothing has renamed them yet). A nullable column and an index:
no table rebuild on SQLite.

Revision ID: 69dd821aedd3
Revises: 18f885f6001e
Create Date: 2026-11-28 18:53:13.566110

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '69dd821aedd3'
down_revision = '18f885f6001e'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('user_account', sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_user_account_changed_at', 'user_account', ['changed_at'], unique=False)


def downgrade():
    op.drop_index('ix_user_account_changed_at', table_name='user_account')
    # Not in a batch: SQLite (3.35 and later) drops a column in place, with no rebuild.
    op.drop_column('user_account', 'changed_at')
