"""The domain model: organisation, networks, measures, measurements with history, accounts, audit.

Revision ID: 479a91f3b878
Revises: 
Create Date: 2026-11-28 11:47:11.644782

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '479a91f3b878'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('measure_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('topic', sa.String(length=60), nullable=False),
    sa.Column('measure_type', sa.String(length=20), nullable=False),
    sa.Column('value_kind', sa.String(length=20), nullable=False),
    sa.Column('multiplier', sa.Float(), nullable=False),
    sa.Column('unit_label', sa.String(length=60), nullable=False),
    sa.Column('direction', sa.String(length=4), nullable=False),
    sa.Column('default_chart', sa.String(length=8), nullable=True),
    sa.Column('is_proposal', sa.Boolean(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.CheckConstraint("direction IN ('up', 'down')", name=op.f('ck_measure_template_direction')),
    sa.CheckConstraint("measure_type IN ('outcome', 'process', 'balancing')", name=op.f('ck_measure_template_measure_type')),
    sa.CheckConstraint("value_kind IN ('proportion', 'rate', 'count', 'continuous', 'days_between', 'cases_between', 'samples')", name=op.f('ck_measure_template_value_kind')),
    sa.CheckConstraint('multiplier > 0', name=op.f('ck_measure_template_multiplier_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_template')),
    sa.UniqueConstraint('code', name=op.f('uq_measure_template_code'))
    )
    with op.batch_alter_table('measure_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_template_topic'), ['topic'], unique=False)

    op.create_table('region',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region')),
    sa.UniqueConstraint('name', name=op.f('uq_region_name'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("language IS NULL OR language IN ('nb', 'en')", name=op.f('ck_user_account_language')),
    sa.CheckConstraint("role IN ('admin', 'centre', 'facilitator', 'team_member', 'viewer')", name=op.f('ck_user_account_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=60), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_audit_event_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_event_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_user_id'), ['user_id'], unique=False)

    op.create_table('municipality',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('number', sa.String(length=4), nullable=True),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_municipality_region_id_region'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_municipality')),
    sa.UniqueConstraint('region_id', 'name', name=op.f('uq_municipality_region_id_name'))
    )
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_municipality_region_id'), ['region_id'], unique=False)

    op.create_table('network',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('topic', sa.String(length=60), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('rule_set', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.CheckConstraint("language IN ('nb', 'en')", name=op.f('ck_network_language')),
    sa.CheckConstraint("rule_set IN ('anhoej', 'ihi', 'mdc')", name=op.f('ck_network_rule_set')),
    sa.CheckConstraint("status IN ('planned', 'active', 'closed')", name=op.f('ck_network_status')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_network_dates_ordered')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_network_region_id_region'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network')),
    sa.UniqueConstraint('name', name=op.f('uq_network_name'))
    )
    with op.batch_alter_table('network', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_region_id'), ['region_id'], unique=False)

    op.create_table('learning_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.CheckConstraint('number >= 1', name=op.f('ck_learning_session_number_positive')),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_learning_session_network_id_network'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_session')),
    sa.UniqueConstraint('network_id', 'number', name=op.f('uq_learning_session_network_id_number'))
    )
    with op.batch_alter_table('learning_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_session_network_id'), ['network_id'], unique=False)

    op.create_table('measure_definition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('short_name', sa.String(length=80), nullable=False),
    sa.Column('measure_type', sa.String(length=20), nullable=False),
    sa.Column('value_kind', sa.String(length=20), nullable=False),
    sa.Column('multiplier', sa.Float(), nullable=False),
    sa.Column('unit_label', sa.String(length=60), nullable=False),
    sa.Column('numerator', sa.Text(), nullable=False),
    sa.Column('denominator', sa.Text(), nullable=False),
    sa.Column('inclusions', sa.Text(), nullable=False),
    sa.Column('exclusions', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('is_proposal', sa.Boolean(), nullable=False),
    sa.Column('direction', sa.String(length=4), nullable=False),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('default_chart', sa.String(length=8), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("default_chart IS NULL OR default_chart IN ('run', 'i', 'mr', 'xbar', 's', 't', 'p', 'pp', 'c', 'u', 'up', 'g')", name=op.f('ck_measure_definition_default_chart')),
    sa.CheckConstraint("direction IN ('up', 'down')", name=op.f('ck_measure_definition_direction')),
    sa.CheckConstraint("measure_type IN ('outcome', 'process', 'balancing')", name=op.f('ck_measure_definition_measure_type')),
    sa.CheckConstraint("value_kind IN ('proportion', 'rate', 'count', 'continuous', 'days_between', 'cases_between', 'samples')", name=op.f('ck_measure_definition_value_kind')),
    sa.CheckConstraint('multiplier > 0', name=op.f('ck_measure_definition_multiplier_positive')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_measure_definition_version_positive')),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_measure_definition_network_id_network'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_id'], ['measure_template.id'], name=op.f('fk_measure_definition_template_id_measure_template'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_definition')),
    sa.UniqueConstraint('network_id', 'code', name=op.f('uq_measure_definition_network_id_code'))
    )
    with op.batch_alter_table('measure_definition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_definition_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measure_definition_template_id'), ['template_id'], unique=False)

    op.create_table('network_facilitator',
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_network_facilitator_network_id_network'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_network_facilitator_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('network_id', 'user_id', name=op.f('pk_network_facilitator'))
    )
    op.create_table('unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('size_kind', sa.String(length=20), nullable=False),
    sa.CheckConstraint("kind IN ('nursing_home_ward', 'home_care_district', 'supported_housing', 'short_term_ward', 'other')", name=op.f('ck_unit_kind')),
    sa.CheckConstraint("size_kind IN ('beds', 'service_users')", name=op.f('ck_unit_size_kind')),
    sa.CheckConstraint('size IS NULL OR size > 0', name=op.f('ck_unit_size_positive')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_unit_municipality_id_municipality'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit')),
    sa.UniqueConstraint('municipality_id', 'name', name=op.f('uq_unit_municipality_id_name'))
    )
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('team',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('aim', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_team_network_id_network'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_team_unit_id_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team')),
    sa.UniqueConstraint('network_id', 'unit_id', name=op.f('uq_team_network_id_unit_id'))
    )
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_unit_id'), ['unit_id'], unique=False)

    op.create_table('unit_membership',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('is_lead', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_unit_membership_unit_id_unit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_unit_membership_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'unit_id', name=op.f('pk_unit_membership'))
    )
    op.create_table('chart_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('chart_kind', sa.String(length=8), nullable=True),
    sa.Column('freeze_period', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("chart_kind IS NULL OR chart_kind IN ('run', 'i', 'mr', 'xbar', 's', 't', 'p', 'pp', 'c', 'u', 'up', 'g')", name=op.f('ck_chart_settings_chart_kind')),
    sa.ForeignKeyConstraint(['measure_id'], ['measure_definition.id'], name=op.f('fk_chart_settings_measure_id_measure_definition'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_chart_settings_team_id_team'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chart_settings')),
    sa.UniqueConstraint('team_id', 'measure_id', name=op.f('uq_chart_settings_team_id_measure_id'))
    )
    with op.batch_alter_table('chart_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chart_settings_measure_id'), ['measure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chart_settings_team_id'), ['team_id'], unique=False)

    op.create_table('intervention',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('short_label', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_intervention_dates_ordered')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_intervention_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_intervention_team_id_team'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intervention'))
    )
    with op.batch_alter_table('intervention', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intervention_team_id'), ['team_id'], unique=False)

    op.create_table('measurement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('numerator', sa.Integer(), nullable=True),
    sa.Column('denominator', sa.Integer(), nullable=True),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('denominator IS NULL OR denominator > 0', name=op.f('ck_measurement_denominator_positive')),
    sa.CheckConstraint('numerator IS NOT NULL OR value IS NOT NULL OR deleted_at IS NOT NULL', name=op.f('ck_measurement_has_value')),
    sa.CheckConstraint('numerator IS NULL OR numerator >= 0', name=op.f('ck_measurement_numerator_non_negative')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_measurement_version_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_measurement_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['measure_id'], ['measure_definition.id'], name=op.f('fk_measurement_measure_id_measure_definition'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_measurement_team_id_team'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_measurement_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measurement')),
    sa.UniqueConstraint('team_id', 'measure_id', 'period', name=op.f('uq_measurement_team_id_measure_id_period'))
    )
    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measurement_measure_id'), ['measure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measurement_team_id'), ['team_id'], unique=False)

    op.create_table('chart_exclusion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('settings_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['settings_id'], ['chart_settings.id'], name=op.f('fk_chart_exclusion_settings_id_chart_settings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chart_exclusion')),
    sa.UniqueConstraint('settings_id', 'period', name=op.f('uq_chart_exclusion_settings_id_period'))
    )
    with op.batch_alter_table('chart_exclusion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chart_exclusion_settings_id'), ['settings_id'], unique=False)

    op.create_table('chart_phase',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('settings_id', sa.Integer(), nullable=False),
    sa.Column('start_period', sa.Date(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['settings_id'], ['chart_settings.id'], name=op.f('fk_chart_phase_settings_id_chart_settings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chart_phase')),
    sa.UniqueConstraint('settings_id', 'start_period', name=op.f('uq_chart_phase_settings_id_start_period'))
    )
    with op.batch_alter_table('chart_phase', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chart_phase_settings_id'), ['settings_id'], unique=False)

    op.create_table('measurement_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measurement_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('numerator', sa.Integer(), nullable=True),
    sa.Column('denominator', sa.Integer(), nullable=True),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("action IN ('create', 'update', 'delete', 'restore')", name=op.f('ck_measurement_history_action')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'], name=op.f('fk_measurement_history_changed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['measurement_id'], ['measurement.id'], name=op.f('fk_measurement_history_measurement_id_measurement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measurement_history'))
    )
    with op.batch_alter_table('measurement_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measurement_history_measurement_id'), ['measurement_id'], unique=False)

    op.create_table('pdsa_cycle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intervention_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('do', sa.Text(), nullable=False),
    sa.Column('study', sa.Text(), nullable=False),
    sa.Column('act', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=10), nullable=True),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('adopt', 'adapt', 'abandon')", name=op.f('ck_pdsa_cycle_outcome')),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_pdsa_cycle_dates_ordered')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_pdsa_cycle_number_positive')),
    sa.ForeignKeyConstraint(['intervention_id'], ['intervention.id'], name=op.f('fk_pdsa_cycle_intervention_id_intervention'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pdsa_cycle')),
    sa.UniqueConstraint('intervention_id', 'number', name=op.f('uq_pdsa_cycle_intervention_id_number'))
    )
    with op.batch_alter_table('pdsa_cycle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pdsa_cycle_intervention_id'), ['intervention_id'], unique=False)




def downgrade():

    with op.batch_alter_table('pdsa_cycle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pdsa_cycle_intervention_id'))

    op.drop_table('pdsa_cycle')
    with op.batch_alter_table('measurement_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measurement_history_measurement_id'))

    op.drop_table('measurement_history')
    with op.batch_alter_table('chart_phase', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chart_phase_settings_id'))

    op.drop_table('chart_phase')
    with op.batch_alter_table('chart_exclusion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chart_exclusion_settings_id'))

    op.drop_table('chart_exclusion')
    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measurement_team_id'))
        batch_op.drop_index(batch_op.f('ix_measurement_measure_id'))

    op.drop_table('measurement')
    with op.batch_alter_table('intervention', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intervention_team_id'))

    op.drop_table('intervention')
    with op.batch_alter_table('chart_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chart_settings_team_id'))
        batch_op.drop_index(batch_op.f('ix_chart_settings_measure_id'))

    op.drop_table('chart_settings')
    op.drop_table('unit_membership')
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_unit_id'))
        batch_op.drop_index(batch_op.f('ix_team_network_id'))

    op.drop_table('team')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_municipality_id'))

    op.drop_table('unit')
    op.drop_table('network_facilitator')
    with op.batch_alter_table('measure_definition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_definition_template_id'))
        batch_op.drop_index(batch_op.f('ix_measure_definition_network_id'))

    op.drop_table('measure_definition')
    with op.batch_alter_table('learning_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learning_session_network_id'))

    op.drop_table('learning_session')
    with op.batch_alter_table('network', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_region_id'))

    op.drop_table('network')
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipality_region_id'))

    op.drop_table('municipality')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_user_id'))
        batch_op.drop_index('ix_audit_event_object')
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))

    op.drop_table('audit_event')
    op.drop_table('user_account')
    op.drop_table('region')
    with op.batch_alter_table('measure_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_template_topic'))

    op.drop_table('measure_template')

