"""The workflow helper used by every app.

A model declares its transitions once, as a ``TransitionTable``::

    TRANSITIONS = TransitionTable(
        Transition("submit", source=[Status.DRAFT, Status.RETURNED], target=Status.SUBMITTED,
                   label=_("提交")),
        ...
        model=Resource,
    )

and a service applies one with :func:`transition_apply`, which refuses an action the
current state does not allow (``IllegalTransition``, mapped to HTTP 409), moves the status
and writes a :class:`~portal.models.WorkflowEvent`. Who may act is a policy question the
service answers before calling it. No status is assigned anywhere else.

Binding the table to its model lets every history show its events in the reader's
language: :attr:`~portal.models.WorkflowEvent.label` is the transition's label and
``from_label`` / ``to_label`` the status choices' labels — one lookup for the pages, the
admin and the API, never the raw action word.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from portal.errors import IllegalTransition
from portal.models import WorkflowEvent


@dataclass(frozen=True, init=False)
class Transition:
    action: str
    source: frozenset[str]
    target: str
    label: str = ""

    def __init__(self, action: str, *, source: Iterable[str] | str, target: str, label: str = ""):
        object.__setattr__(self, "action", action)
        sources = [source] if isinstance(source, str) else list(source)
        object.__setattr__(self, "source", frozenset(str(s) for s in sources))
        object.__setattr__(self, "target", str(target))
        object.__setattr__(self, "label", label or action)


# The action of the event workflow_start writes.
CREATED = "create"

# Every table, by the model it belongs to ("app_label.modelname").
_TABLES: dict[str, "TransitionTable"] = {}


class TransitionTable:
    """The allowed transitions of one workflow model."""

    def __init__(self, *transitions: Transition, model: type[models.Model],
                 field_name: str = "status", created_label: str = "") -> None:
        self.transitions = transitions
        self.model, self.field_name = model, field_name
        # The label of the first event, written by workflow_start when a row is created
        # in a working state (e.g. an application submitted by the act of filing it).
        self.created_label = created_label
        seen = set()
        for t in transitions:
            for s in t.source:
                if (s, t.action) in seen:
                    raise ValueError(f"Duplicate transition {t.action!r} from {s!r}")
                seen.add((s, t.action))
        _TABLES[model._meta.label_lower] = self

    def find(self, status: str, action: str) -> Transition | None:
        for t in self.transitions:
            if t.action == action and str(status) in t.source:
                return t
        return None

    def actions_from(self, status: str) -> list[Transition]:
        return [t for t in self.transitions if str(status) in t.source]

    def actions(self) -> set[str]:
        return {t.action for t in self.transitions}

    def label_of(self, action: str) -> str:
        if action == CREATED and self.created_label:
            return str(self.created_label)
        return next((str(t.label) for t in self.transitions if t.action == action), action)


def table_for(model: type[models.Model]) -> TransitionTable | None:
    """The transition table bound to ``model`` (or its concrete parent), if any."""
    return (_TABLES.get(model._meta.label_lower)
            or _TABLES.get(model._meta.concrete_model._meta.label_lower))


def event_labels(event: WorkflowEvent) -> tuple[str, str, str]:
    """(action, from status, to status) of ``event`` in the reader's language."""
    model = event.target_type.model_class()
    table = table_for(model) if model is not None else None
    if table is None:
        return event.action, event.from_status, event.to_status
    field = table.model._meta.get_field(table.field_name)
    choices = {str(k): str(v) for k, v in field.flatchoices}
    return (table.label_of(event.action), choices.get(event.from_status, event.from_status),
            choices.get(event.to_status, event.to_status))


def status_label(obj: models.Model, status: str, field_name: str = "status") -> str:
    choices = dict(obj._meta.get_field(field_name).flatchoices)
    return str(choices.get(status, status))


def transition_apply(
    *,
    obj: models.Model,
    table: TransitionTable,
    action: str,
    actor,
    comment: str = "",
    save: bool = True,
) -> WorkflowEvent:
    """Move ``obj`` along ``action`` and record the event; refuse illegal actions.

    Must run inside the caller's transaction (the caller has locked the row).
    """
    field_name = table.field_name
    current = getattr(obj, field_name)
    transition = table.find(current, action)
    if transition is None:
        label = table.label_of(action)
        raise IllegalTransition(
            _("当前状态为“%(status)s”，不能执行“%(action)s”操作。")
            % {"status": status_label(obj, current, field_name), "action": label},
            target=obj, action=action,
        )
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition_apply must run inside a transaction")
    setattr(obj, field_name, transition.target)
    if save:
        obj.save()
    return WorkflowEvent.objects.create(
        target_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        target_id=str(obj.pk),
        action=action,
        from_status=str(current),
        to_status=transition.target,
        actor=actor if getattr(actor, "pk", None) else None,
        comment=comment,
    )


def workflow_start(*, obj: models.Model, table: TransitionTable, actor, comment: str = "",
                   ) -> WorkflowEvent:
    """Record how a row that is born in a working state began (its first history line:
    e.g. "提交申请" by the applicant), so its history is never empty."""
    return WorkflowEvent.objects.create(
        target_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        target_id=str(obj.pk), action=CREATED, from_status="",
        to_status=str(getattr(obj, table.field_name)),
        actor=actor if getattr(actor, "pk", None) else None, comment=comment,
    )


def workflow_events(obj: models.Model):
    """The events of ``obj``, oldest first, with their actors."""
    return WorkflowEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        target_id=str(obj.pk),
    ).select_related("actor", "target_type")
