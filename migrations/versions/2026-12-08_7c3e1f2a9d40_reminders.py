"""Reminders: the day a network's months are due (reminder_day, the 5th unless set), whether a
user wants reminders (on unless turned off), and each reminder sent, once per user, team, month and
kind.

Revision ID: 7c3e1f2a9d40
Revises: 1b64567d3e87
Create Date: 2026-12-08 00:55:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c3e1f2a9d40'
down_revision = '1b64567d3e87'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('network', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_day', sa.Integer(), server_default='5', nullable=False))
        batch_op.create_check_constraint(op.f('ck_network_reminder_day'), 'reminder_day BETWEEN 1 AND 28')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminders', sa.Boolean(), server_default=sa.true(), nullable=False))

    op.create_table(
        'reminder',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('due', 'late', 'by_hand')", name=op.f('ck_reminder_kind')),
        sa.ForeignKeyConstraint(
            ['sent_by_id'], ['user_account.id'],
            name=op.f('fk_reminder_sent_by_id_user_account'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['team_id'], ['team.id'], name=op.f('fk_reminder_team_id_team'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['user_account.id'],
            name=op.f('fk_reminder_user_id_user_account'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder')),
        sa.UniqueConstraint(
            'user_id', 'team_id', 'period', 'kind', name=op.f('uq_reminder_user_id_team_id_period_kind')
        ),
    )
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_user_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_team_id'))
    op.drop_table('reminder')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('reminders')

    with op.batch_alter_table('network', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_network_reminder_day'), type_='check')
        batch_op.drop_column('reminder_day')
