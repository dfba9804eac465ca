"""Models of the sharing app: filings (S6), requests (S2, S3, S12), grants (S5) and their
permission tables, disputes (S4), transfers (S7), objections (S8), negative list (S11),
data services of the gateway (S9)."""

from .disputes import CoReview, Dispute, DisputeMessage
from .enums import Purpose
from .extensions import AnswerExtension
from .filing import FILING_TRANSITIONS, Filing
from .gateway import SERVICE_TRANSITIONS, DataService, ServiceHealthCheck, ServiceOperation
from .grants import (
    CONSUME_DATAITEM,
    CONSUME_RESOURCE,
    DataItemGrantPermission,
    Grant,
    ResourceGrantPermission,
    valid_grants_q,
)
from .negative_list import ROUND_TRANSITIONS, NegativeListEntry, NegativeListRound, RoundItem
from .objections import OBJECTION_TRANSITIONS, Objection
from .requests import FINAL_STATUSES, OPEN_STATUSES, TRANSITIONS, ResponseRecord, ShareRequest
from .transfers import TRANSFER_TRANSITIONS, TransferRequest

__all__ = [
    "AnswerExtension",
    "CONSUME_DATAITEM",
    "CONSUME_RESOURCE",
    "FILING_TRANSITIONS",
    "FINAL_STATUSES",
    "OBJECTION_TRANSITIONS",
    "OPEN_STATUSES",
    "ROUND_TRANSITIONS",
    "SERVICE_TRANSITIONS",
    "TRANSFER_TRANSITIONS",
    "TRANSITIONS",
    "CoReview",
    "DataService",
    "DataItemGrantPermission",
    "Dispute",
    "DisputeMessage",
    "Filing",
    "Grant",
    "NegativeListEntry",
    "NegativeListRound",
    "Objection",
    "Purpose",
    "ResourceGrantPermission",
    "ResponseRecord",
    "RoundItem",
    "ServiceHealthCheck",
    "ServiceOperation",
    "ShareRequest",
    "TransferRequest",
    "valid_grants_q",
]
