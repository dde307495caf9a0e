"""One job state for learning-session packs and imports: the state (queued, running, done,
failed) in session_pack.status and import_upload.phase, with a CHECK constraint and 'queued' as the
default in the database as in the models; a step, a heartbeat and the number of attempts on both.

An upload's old phase was its state and its step in one: the step keeps the old phase's name
(reading, checking, checked, queued, saving, done, failed), the phase becomes the state, and the
new column work says whether the upload is being checked or saved (saved: the old result said
"saving"). The time of an upload's last progress becomes its heartbeat; a pack being built gets
its start as its heartbeat, so that it counts as stalled a minute after the upgrade.

Revision ID: 1b64567d3e87
Revises: 55ef2206f31e
Create Date: 2026-12-04 21:07:17.493478

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '1b64567d3e87'
down_revision = '55ef2206f31e'
branch_labels = None
depends_on = None

STATES = "'queued', 'running', 'done', 'failed'"

uploads = sa.table(
    'import_upload',
    sa.column('id', sa.Integer),
    sa.column('phase', sa.String),
    sa.column('work', sa.String),
    sa.column('step', sa.String),
    sa.column('heartbeat_at', sa.DateTime(timezone=True)),
    sa.column('attempts', sa.Integer),
    sa.column('result', sa.JSON),
)

# An upload's old phase: the state it meant, and whether it meant saving.
OLD_PHASES = {
    'reading': ('running', False),  # 'queued' when no progress was recorded yet, see below
    'checking': ('running', False),
    'checked': ('done', False),
    'queued': ('queued', True),
    'saving': ('running', True),
    'done': ('done', True),
    'failed': ('failed', False),
}


def upgrade():
    with op.batch_alter_table('import_upload', schema=None) as batch_op:
        batch_op.add_column(sa.Column('work', sa.String(length=10), server_default='check', nullable=False))
        batch_op.add_column(sa.Column('step', sa.String(length=20), server_default='queued', nullable=False))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.alter_column('progress_at', new_column_name='heartbeat_at')
        batch_op.alter_column('phase', existing_type=sa.String(length=10), server_default='queued')

    connection = op.get_bind()
    for row in connection.execute(sa.select(uploads.c.id, uploads.c.phase, uploads.c.heartbeat_at, uploads.c.result)).all():
        state, saving = OLD_PHASES.get(row.phase, ('failed', False))
        if row.phase == 'reading' and row.heartbeat_at is None:
            state = 'queued'  # waiting for `flask packs work`
        saving = saving or bool((row.result or {}).get('saving'))
        connection.execute(
            uploads.update()
            .where(uploads.c.id == row.id)
            .values(
                phase=state,
                step=row.phase if row.phase in OLD_PHASES else 'failed',
                work='save' if saving else 'check',
                attempts=0 if state == 'queued' else 1,
            )
        )
    op.execute("UPDATE import_upload SET heartbeat_at = created_at WHERE phase = 'running' AND heartbeat_at IS NULL")

    with op.batch_alter_table('import_upload', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_import_upload_phase'), f"phase IN ({STATES})")
        batch_op.create_check_constraint(op.f('ck_import_upload_work'), "work IN ('check', 'save')")

    with op.batch_alter_table('session_pack', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.alter_column('status', existing_type=sa.String(length=10), server_default='queued')
        batch_op.alter_column('step', existing_type=sa.String(length=20), server_default='queued')
    op.execute(
        "UPDATE session_pack SET heartbeat_at = COALESCE(started_at, created_at), attempts = 1 "
        "WHERE status = 'running'"
    )


def downgrade():
    # A job given up after its process died ('stopped') failed, as far as the old code knew.
    op.execute("UPDATE session_pack SET step = 'failed' WHERE step = 'stopped'")
    with op.batch_alter_table('session_pack', schema=None) as batch_op:
        batch_op.alter_column('step', existing_type=sa.String(length=20), server_default=None)
        batch_op.alter_column('status', existing_type=sa.String(length=10), server_default=None)
        batch_op.drop_column('attempts')
        batch_op.drop_column('heartbeat_at')

    with op.batch_alter_table('import_upload', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_import_upload_work'), type_='check')
        batch_op.drop_constraint(op.f('ck_import_upload_phase'), type_='check')

    connection = op.get_bind()
    for row in connection.execute(sa.select(uploads.c.id, uploads.c.work, uploads.c.step, uploads.c.result)).all():
        result = dict(row.result or {})
        if row.work == 'save':
            result['saving'] = True
        connection.execute(
            uploads.update()
            .where(uploads.c.id == row.id)
            .values(phase=row.step if row.step in OLD_PHASES else 'failed', result=result)
        )

    with op.batch_alter_table('import_upload', schema=None) as batch_op:
        batch_op.alter_column('phase', existing_type=sa.String(length=10), server_default='checked')
        batch_op.alter_column('heartbeat_at', new_column_name='progress_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('step')
        batch_op.drop_column('work')
