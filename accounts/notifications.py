"""Notifications: a row in the user's inbox and, when they have an address, an e-mail.

The one entry point for other apps::

    from accounts.notifications import notify

    notify(
        users=[user_a, user_b],
        kind=Notification.Kind.MEETING_CONFIRMED,   # or the plain string "meeting_confirmed"
        subject="Meeting confirmed: ...",
        body="...",
        url=meeting.get_absolute_url(),              # optional, a link within the site
        dedupe_key=f"meeting-confirmed:{meeting.pk}",  # optional: never twice per user
    )

Call it inside the transaction that made the change: the e-mails are queued with
``transaction.on_commit``, so a rolled-back change sends nothing. Texts are rendered in
the caller's active language.
"""

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import Notification, User

logger = logging.getLogger(__name__)

NO_EMAIL_ERROR = "no e-mail address"


def notify(
    *,
    users: Iterable[User],
    kind: str,
    subject: str,
    body: str,
    url: str = "",
    dedupe_key: str = "",
) -> list[Notification]:
    """Create one notification per user and queue its e-mail once the transaction commits.

    Users counted twice in ``users`` get one notification. With a ``dedupe_key``, users
    who already have a notification with that key are skipped. Inactive users are
    skipped. A user without an e-mail address gets the inbox row but no e-mail
    (``sent_at`` stays empty, ``error`` says why). Returns the notifications created.
    """
    if kind not in Notification.Kind.values:
        raise ValidationError({"kind": _("Unknown notification kind %(kind)s.") % {"kind": kind}})
    subject = " ".join(str(subject).split())[:200]
    if not subject:
        raise ValidationError({"subject": _("A notification needs a subject.")})
    if url and (not url.startswith("/") or url.startswith("//")):
        raise ValidationError({"url": _("The link must be a path within the site.")})

    seen = set()
    recipients = []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        recipients.append(user)
    if dedupe_key and recipients:
        already = set(
            Notification.objects.filter(
                user__in=[u.pk for u in recipients], dedupe_key=dedupe_key
            ).values_list("user_id", flat=True)
        )
        recipients = [u for u in recipients if u.pk not in already]

    created = []
    for user in recipients:
        address = (user.email or "").strip()
        notification = Notification(
            user=user,
            kind=kind,
            subject=subject,
            body=str(body),
            url=url,
            dedupe_key=dedupe_key,
            email_to=address,
            error="" if address else NO_EMAIL_ERROR,
        )
        try:
            # A savepoint: a concurrent notify() with the same key loses quietly.
            with transaction.atomic():
                notification.save()
        except IntegrityError:
            if not dedupe_key:
                raise
            logger.info("Notification for a user already exists for this key: skipped")
            continue
        created.append(notification)
        if address:
            _enqueue_on_commit(notification.pk)
    return created


def _enqueue_on_commit(notification_id: int) -> None:
    from .tasks import notification_send_task

    # robust: a broker or (in eager mode) mail failure must not break the caller's
    # request after its change has committed; the notification stays unsent, and logged.
    transaction.on_commit(lambda: notification_send_task.delay(notification_id), robust=True)
