"""Open-data models: datasets (O1–O3), the public's engagement (O4, O5), demand and
plans (HN-25, HN-31), data products (O7)."""

from ..harvest.models import HarvestedDataset, HarvestJob, HarvestRecord, HarvestSource  # noqa: E402, I001
from .datasets import (
    PUBLISHABLE_OPEN_TYPES,
    TRANSITIONS,
    UPDATE_TRANSITIONS,
    Dataset,
    DatasetField,
    DatasetUpdate,
    Distribution,
)
from .demand import PLAN_TRANSITIONS, REQUEST_TRANSITIONS, DataRequest, OpenPlan, OpenPlanItem
from .engagement import (
    APPLICATION_TRANSITIONS,
    COMMENT_TRANSITIONS,
    AccessApplication,
    Comment,
    Rating,
)
from .products import PRODUCT_TRANSITIONS, DataProduct, ProductDataset, UsageReport

__all__ = [
    "APPLICATION_TRANSITIONS",
    "COMMENT_TRANSITIONS",
    "PLAN_TRANSITIONS",
    "PRODUCT_TRANSITIONS",
    "PUBLISHABLE_OPEN_TYPES",
    "REQUEST_TRANSITIONS",
    "TRANSITIONS",
    "UPDATE_TRANSITIONS",
    "AccessApplication",
    "Comment",
    "DataProduct",
    "DataRequest",
    "Dataset",
    "DatasetField",
    "DatasetUpdate",
    "Distribution",
    "HarvestJob",
    "HarvestRecord",
    "HarvestSource",
    "HarvestedDataset",
    "OpenPlan",
    "OpenPlanItem",
    "ProductDataset",
    "Rating",
    "UsageReport",
]
