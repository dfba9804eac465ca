"""Deadline fields of every workflow row with a step someone must finish in time.

``DeadlineMarkers`` are the sweep's bookkeeping (``portal.deadlines``): ``step_seq``
numbers the steps of a row and keys its reminders (a step that opens again gets fresh
reminders); ``reminded_level`` is the smallest "working days before" reminder already
sent in this step and ``escalated_on`` the day the overdue step was escalated, so a re-run
of the sweep selects nothing twice; ``rule_version`` and ``due_rule`` say which rule of
which pack version set the due date. A row keeps its own due-date column (declared by its
deadline kind); ``DeadlineFields`` adds the common one: ``due_on`` set (in working days,
P4) when a step opens and cleared when it closes, so "open steps" are exactly the rows
with a due date, read through one partial index.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DeadlineMarkers(models.Model):
    step_seq = models.PositiveIntegerField(default=0, editable=False)
    reminded_level = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    escalated_on = models.DateField(_("督办日期"), null=True, blank=True, editable=False)
    # The rule pack version and the rule that set the current due date (portal.rules):
    # editing the pack later does not move this step's deadline.
    rule_version = models.ForeignKey("portal.RulePackVersion", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     editable=False, verbose_name=_("规则包版本"))
    due_rule = models.CharField(_("期限规则"), max_length=40, blank=True, editable=False)

    class Meta:
        abstract = True


class DeadlineFields(DeadlineMarkers):
    due_on = models.DateField(_("办理期限"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        indexes = [
            models.Index(fields=["due_on"], condition=Q(due_on__isnull=False),
                         name="%(app_label)s_%(class)s_due"),
        ]
