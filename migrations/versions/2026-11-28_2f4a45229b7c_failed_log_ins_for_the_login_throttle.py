"""Failed log-ins, counted by the login throttle per account and per client address.

Revision ID: 2f4a45229b7c
Revises: 479a91f3b878
Create Date: 2026-11-28 12:01:23.209633

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '2f4a45229b7c'
down_revision = '479a91f3b878'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('failed_login',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_failed_login'))
    )
    with op.batch_alter_table('failed_login', schema=None) as batch_op:
        batch_op.create_index('ix_failed_login_address_at', ['address', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_failed_login_at'), ['at'], unique=False)
        batch_op.create_index('ix_failed_login_email_at', ['email', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('failed_login', schema=None) as batch_op:
        batch_op.drop_index('ix_failed_login_email_at')
        batch_op.drop_index(batch_op.f('ix_failed_login_at'))
        batch_op.drop_index('ix_failed_login_address_at')

    op.drop_table('failed_login')
