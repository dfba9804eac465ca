"""Models of the data plane: versions (S9), masking rules, access log (S10),
monitoring (S13) and system-token scopes."""

from .accesslog import GENESIS_HASH, AccessLogEntry, AccessLogHead
from .masking import MASK_KIND_LABELS, MaskingRule
from .monitoring import ANOMALY_TRANSITIONS, Anomaly, UsageReport
from .tokens import SystemTokenScope
from .versions import VERSION_TRANSITIONS, DataVersion, ResourceData

__all__ = [
    "ANOMALY_TRANSITIONS",
    "GENESIS_HASH",
    "MASK_KIND_LABELS",
    "VERSION_TRANSITIONS",
    "AccessLogEntry",
    "AccessLogHead",
    "Anomaly",
    "DataVersion",
    "MaskingRule",
    "ResourceData",
    "SystemTokenScope",
    "UsageReport",
]
