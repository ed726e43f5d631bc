"""The audit trail's "from where": the client address on every history record.

Every domain model declares ``history = HistoricalRecords(bases=[AuditedHistoricalModel])``,
so each historical table has an ``ip_address`` column. :func:`record_client_ip` fills it from
the web request that made the change (simple-history's ``HistoryRequestMiddleware`` keeps the
request for the thread); changes made outside a request (Celery tasks, management commands)
and bulk writes through ``bulk_create_with_history`` leave it empty.

The receiver is connected when this module is imported, which happens when ``accounts.models``
is loaded (it imports the base below), i.e. before any model can be saved.
"""

from __future__ import annotations

from django.db import models
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from .security import client_ip_address


class AuditedHistoricalModel(models.Model):
    """Abstract base of every historical model: who (``history_user``), when
    (``history_date``), what (the row and ``history_type``) and from where (this field)."""

    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        abstract = True


@receiver(pre_create_historical_record, dispatch_uid="accounts.history.record_client_ip")
def record_client_ip(sender, history_instance, **kwargs):
    """Fill ``ip_address`` of a new history record from the current request, if any."""
    if not isinstance(history_instance, AuditedHistoricalModel):
        return
    request = getattr(HistoricalRecords.context, "request", None)
    history_instance.ip_address = client_ip_address(request) if request is not None else None
