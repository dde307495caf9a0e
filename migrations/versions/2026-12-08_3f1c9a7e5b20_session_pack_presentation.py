"""Learning-session packs keep a PowerPoint presentation beside the PDF and the PNG ZIP: its bytes
and its size. Packs made before have none (their page offers the PDF and the ZIP only).

Revision ID: 3f1c9a7e5b20
Revises: 7c3e1f2a9d40
Create Date: 2026-12-08 12:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3f1c9a7e5b20'
down_revision = '7c3e1f2a9d40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('session_pack', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pptx', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('pptx_size', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('session_pack', schema=None) as batch_op:
        batch_op.drop_column('pptx_size')
        batch_op.drop_column('pptx')
