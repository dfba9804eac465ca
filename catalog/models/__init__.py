"""Catalog models: entries and items (C1, C6), deadlines and census (C7, C8), projects
(C11), imports (C10)."""

from .enums import (
    CLASSIFICATION_CODE_PREFIX,
    FORMAT_SUBTYPES,
    FOUNDATIONAL_THEMES,
    NOT_SHARED_BASIS_KINDS,
    TYPES_WITH_LENGTH,
    UPDATE_CYCLE_DAYS,
    Classification,
    DataType,
    LegalBasisKind,
    OpenType,
    ResourceFormat,
    SecurityLevel,
    Sensitivity,
    SharingMethod,
    SharingType,
    Subject,
    Theme,
    UpdateCycle,
)
from .imports import ImportJob
from .maintenance import (
    CENSUS_ENTRY_TRANSITIONS,
    CENSUS_TRANSITIONS,
    CHANGE_TRANSITIONS,
    Census,
    CensusEntry,
    ChangeEvent,
)
from .projects import PROJECT_TRANSITIONS, Project
from .resources import TRANSITIONS, DataItem, Resource, ResourceCodeSequence, SubmittedResource

__all__ = [
    "CENSUS_ENTRY_TRANSITIONS",
    "CENSUS_TRANSITIONS",
    "CHANGE_TRANSITIONS",
    "CLASSIFICATION_CODE_PREFIX",
    "FORMAT_SUBTYPES",
    "FOUNDATIONAL_THEMES",
    "NOT_SHARED_BASIS_KINDS",
    "PROJECT_TRANSITIONS",
    "TRANSITIONS",
    "TYPES_WITH_LENGTH",
    "UPDATE_CYCLE_DAYS",
    "Census",
    "CensusEntry",
    "ChangeEvent",
    "Classification",
    "DataItem",
    "DataType",
    "ImportJob",
    "LegalBasisKind",
    "OpenType",
    "Project",
    "Resource",
    "ResourceCodeSequence",
    "ResourceFormat",
    "SecurityLevel",
    "Sensitivity",
    "SharingMethod",
    "SharingType",
    "Subject",
    "SubmittedResource",
    "Theme",
    "UpdateCycle",
]

from ..cascade.models import CascadedEntry, CascadeRun, CascadeSource  # noqa: E402, F401, I001
