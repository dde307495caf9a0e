"""The domain model; importing this package registers every table on ``db.metadata``."""

from learnnet.models.accounts import ROLES, UnitMembership, User
from learnnet.models.audit import AuditEvent
from learnnet.models.data import (
    ChartExclusion,
    ChartPhase,
    ChartSettings,
    Measurement,
    MeasurementHistory,
    SeriesVersion,
)
from learnnet.models.definitions import MeasureDefinition, MeasureTemplate
from learnnet.models.imports import ImportUpload
from learnnet.models.jobs import JobState
from learnnet.models.logins import FailedLogin
from learnnet.models.networks import LearningSession, Network, Team, network_facilitator
from learnnet.models.org import Municipality, Region, Unit
from learnnet.models.packs import SessionPack
from learnnet.models.reminders import REMINDER_KINDS, Reminder
from learnnet.models.tokens import ApiToken
from learnnet.models.work import Intervention, PdsaCycle

__all__ = [
    "REMINDER_KINDS",
    "ROLES",
    "ApiToken",
    "AuditEvent",
    "ChartExclusion",
    "ChartPhase",
    "ChartSettings",
    "FailedLogin",
    "ImportUpload",
    "Intervention",
    "JobState",
    "LearningSession",
    "MeasureDefinition",
    "MeasureTemplate",
    "Measurement",
    "MeasurementHistory",
    "Municipality",
    "Network",
    "PdsaCycle",
    "Region",
    "Reminder",
    "SeriesVersion",
    "SessionPack",
    "Team",
    "Unit",
    "UnitMembership",
    "User",
    "network_facilitator",
]
