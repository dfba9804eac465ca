"""Celery work waiting to reach the broker (the task outbox).

``delay_on_commit`` writes one row in the caller's transaction and publishes it when the
transaction commits; the row is deleted once the broker has the message. While the broker
is down the rows stay, and the periodic flush publishes them when it is back, so work
queued during an outage (an upload to check, an import to run) is late, never lost.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxTask(models.Model):
    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    options = models.JSONField(default=dict, blank=True,
                               help_text="apply_async options such as countdown or queue.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("待投递任务")
        verbose_name_plural = _("待投递任务")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"
