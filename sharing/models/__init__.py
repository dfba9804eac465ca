"""Models of the sharing app: filings (S6), grants (S5) and their permission tables."""

from .enums import Purpose
from .filing import FILING_TRANSITIONS, Filing
from .grants import (
    CONSUME_DATAITEM,
    CONSUME_RESOURCE,
    DataItemGrantPermission,
    Grant,
    ResourceGrantPermission,
    valid_grants_q,
)

__all__ = [
    "CONSUME_DATAITEM",
    "CONSUME_RESOURCE",
    "FILING_TRANSITIONS",
    "DataItemGrantPermission",
    "Filing",
    "Grant",
    "Purpose",
    "ResourceGrantPermission",
    "valid_grants_q",
]
