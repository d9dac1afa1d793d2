"""ORM rows, one module per feature (its tables), on one declarative base. The schema is
built only by Alembic migrations (``migrations/``): importing this package registers every
table on :data:`Base.metadata`, which the migrations compare against."""

from callcenter.store.models.answers import CannedAnswerRow
from callcenter.store.models.api_keys import ApiTokenRow, IdempotencyRow
from callcenter.store.models.articles import ArticleRow, ArticleVersionRow
from callcenter.store.models.bans import SipBanRow
from callcenter.store.models.base import NAMING_CONVENTION, Base
from callcenter.store.models.callbacks import OPEN_CALLBACK, CallbackRow, PromiseRow
from callcenter.store.models.calls import CallRow
from callcenter.store.models.cluster import NodeRow
from callcenter.store.models.dial_guard import DialRequestRow
from callcenter.store.models.flows import FlowVersionRow
from callcenter.store.models.front import FrontLocationRow, FrontSubscriberRow
from callcenter.store.models.handoffs import HandoffReadRow, ShiftHandoffRow, ShiftRow
from callcenter.store.models.presence import AgentHoldRow
from callcenter.store.models.quality import EvaluationRow, ScorecardRow
from callcenter.store.models.recordings import LegalHoldRow, RecordingListenRow, RecordingRow
from callcenter.store.models.reports import EventLogRow, QueueLegRow
from callcenter.store.models.search import SearchLineRow
from callcenter.store.models.staff import StaffLinkRow, StaffSessionRow, StaffUserRow
from callcenter.store.models.surveys import SurveyRow
from callcenter.store.models.tickets import (
    AgentRow,
    ContactPointRow,
    CustomerRow,
    InteractionRow,
    TagRow,
    TicketRow,
    ticket_tags,
)
from callcenter.store.models.topics import TagUseRow, TopicTagRow
from callcenter.store.models.transcripts import TranscriptionJobRow
from callcenter.store.models.voicemails import VoicemailRow
from callcenter.store.models.webhooks import WebhookDeliveryRow, WebhookSubscriptionRow
from callcenter.store.models.widgets import WidgetRow

__all__ = [
    "NAMING_CONVENTION",
    "OPEN_CALLBACK",
    "AgentHoldRow",
    "AgentRow",
    "ApiTokenRow",
    "ArticleRow",
    "ArticleVersionRow",
    "Base",
    "CallRow",
    "CallbackRow",
    "CannedAnswerRow",
    "ContactPointRow",
    "CustomerRow",
    "DialRequestRow",
    "EvaluationRow",
    "EventLogRow",
    "FlowVersionRow",
    "FrontLocationRow",
    "FrontSubscriberRow",
    "HandoffReadRow",
    "IdempotencyRow",
    "InteractionRow",
    "LegalHoldRow",
    "NodeRow",
    "PromiseRow",
    "QueueLegRow",
    "RecordingListenRow",
    "RecordingRow",
    "ScorecardRow",
    "SearchLineRow",
    "ShiftHandoffRow",
    "ShiftRow",
    "SipBanRow",
    "StaffLinkRow",
    "StaffSessionRow",
    "StaffUserRow",
    "SurveyRow",
    "TagRow",
    "TagUseRow",
    "TicketRow",
    "TopicTagRow",
    "TranscriptionJobRow",
    "VoicemailRow",
    "WebhookDeliveryRow",
    "WebhookSubscriptionRow",
    "WidgetRow",
    "ticket_tags",
]
