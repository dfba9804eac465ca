"""Workflow events: every status change of every workflow object, with actor and comment."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class WorkflowEvent(models.Model):
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    target_id = models.CharField(max_length=64)
    action = models.CharField(_("操作"), max_length=40)
    from_status = models.CharField(_("原状态"), max_length=40)
    to_status = models.CharField(_("新状态"), max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"), default=timezone.now)
    comment = models.TextField(_("意见"), blank=True)

    class Meta:
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["target_type", "target_id", "at"])]

    def __str__(self) -> str:
        return f"{self.label}：{self.from_label} → {self.to_label}"

    @cached_property
    def _labels(self) -> tuple[str, str, str]:
        from portal.workflow import event_labels

        return event_labels(self)

    @property
    def label(self) -> str:
        """The action in the reader's language (the transition's label)."""
        return self._labels[0]

    @property
    def from_label(self) -> str:
        return self._labels[1]

    @property
    def to_label(self) -> str:
        return self._labels[2]
