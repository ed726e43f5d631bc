"""Writes with rules for partnerships."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from .models import MoU

logger = logging.getLogger(__name__)


@transaction.atomic
def mou_expire_due(*, today: datetime.date | None = None) -> int:
    """Mark signed or active MoUs whose validity has ended as expired. Safe to run twice.

    Returns how many MoUs were expired now. Each change is recorded in the MoU's history.
    """
    today = today or timezone.localdate()
    due = MoU.objects.select_for_update().filter(
        status__in=[MoU.Status.SIGNED, MoU.Status.ACTIVE], valid_until__lt=today
    )
    now = timezone.now()
    count = 0
    for mou in due:
        mou.status = MoU.Status.EXPIRED
        mou.status_changed_at = now
        mou._change_reason = "validity ended"
        mou.save(update_fields=["status", "status_changed_at", "updated_at"])
        count += 1
    if count:
        logger.info("Expired %d MoU(s) whose validity ended before %s", count, today)
    return count
