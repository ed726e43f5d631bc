"""Celery tasks of accounts: sending notification e-mails. Safe to run twice.

Logs name the notification id only: never an address or a person's name.
"""

import logging
import smtplib
import socket

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)

# Mail delivery problems worth another try later.
MAIL_TRANSIENT = (smtplib.SMTPException, ConnectionError, socket.timeout, OSError)
DB_TRANSIENT = (OperationalError, InterfaceError)
MAX_RETRIES = 5


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=DB_TRANSIENT,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=MAX_RETRIES,
)
def notification_send_task(self, notification_id: int) -> str:
    """E-mail one notification. Idempotent: a notification already sent is left alone.

    Returns "sent", "already-sent", "missing" or "no-address". On a mail error the error
    is recorded on the notification and the task retries with backoff.
    """
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None:
            logger.warning("Notification %s no longer exists: not sent", notification_id)
            return "missing"
        if notification.sent_at is not None:
            return "already-sent"
        if not notification.email_to:
            return "no-address"
        try:
            send_mail(
                notification.subject,
                _email_body(notification),
                settings.DEFAULT_FROM_EMAIL,
                [notification.email_to],
                fail_silently=False,
            )
        except MAIL_TRANSIENT as exc:
            Notification.objects.filter(pk=notification.pk).update(
                error=f"{type(exc).__name__}: {exc}"[:1000]
            )
            logger.warning(
                "Notification %s: e-mail failed (%s), attempt %s",
                notification_id,
                type(exc).__name__,
                self.request.retries + 1,
            )
            failed = exc
        else:
            Notification.objects.filter(pk=notification.pk).update(sent_at=timezone.now(), error="")
            logger.info("Notification %s e-mailed", notification_id)
            return "sent"
    # Outside the transaction, so the recorded error is committed before retrying.
    raise self.retry(exc=failed, countdown=_backoff(self.request.retries))


def _backoff(retries: int) -> int:
    return min(600, 30 * 2**retries)


def _email_body(notification: Notification) -> str:
    body = notification.body
    if notification.url:
        base = getattr(settings, "SITE_URL", "").rstrip("/")
        body = f"{body}\n\n{base}{notification.url}" if body else f"{base}{notification.url}"
    return body
