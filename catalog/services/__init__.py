"""Every state change of the catalog app (see the modules for the rules they apply)."""

from .census import (
    census_close,
    census_entry_confirm,
    census_open,
    census_progress,
    census_remind,
)
from .deadlines import (
    change_event_cancel,
    change_event_complete,
    change_event_record,
)
from .projects import (
    project_approve,
    project_complete,
    project_create,
    project_reject,
    project_submit,
    project_update,
)
from .resources import (
    open_revision,
    resource_approve,
    resource_create,
    resource_delete,
    resource_retire,
    resource_return,
    resource_revise,
    resource_submit,
    resource_update,
    resource_withdraw,
    resources_submit,
)

__all__ = [
    "census_close",
    "census_entry_confirm",
    "census_open",
    "census_progress",
    "census_remind",
    "change_event_cancel",
    "change_event_complete",
    "change_event_record",
    "open_revision",
    "project_approve",
    "project_complete",
    "project_create",
    "project_reject",
    "project_submit",
    "project_update",
    "resource_approve",
    "resource_create",
    "resource_delete",
    "resource_retire",
    "resource_return",
    "resource_revise",
    "resource_submit",
    "resource_update",
    "resource_withdraw",
    "resources_submit",
]
