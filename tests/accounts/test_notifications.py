"""Notifications: inbox rows, e-mails sent after commit by an idempotent task, MoUs
nearing expiry."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone

from accounts.models import Notification
from accounts.notifications import NO_EMAIL_ERROR, notify
from accounts.roles import Role
from accounts.tasks import MAX_RETRIES, notification_send_task
from kemitraan.models import MoU
from kemitraan.services import mou_expiring_notify
from kemitraan.tasks import mou_expiring_notify_task

from ..factories import BuyerProfileFactory, MouFactory, UserFactory

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class AlwaysFailingBackend(BaseEmailBackend):
    """The SMTP server is down."""

    attempts = 0

    def send_messages(self, email_messages):
        type(self).attempts += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class FailingOnceBackend(LocmemBackend):
    """The first attempt fails, the next ones deliver to mail.outbox."""

    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).attempts == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = LOCMEM
    settings.DEFAULT_FROM_EMAIL = "Kemitraan <noreply@kemitraan.test>"
    settings.SITE_URL = "https://kemitraan.test"


@pytest.fixture
def retries_run_in_process():
    """In-process retries re-apply the task with the app's propagation setting: off here,
    so that every retry runs (as a worker would, later) instead of surfacing as Retry."""
    conf = notification_send_task.app.conf
    previous = conf.task_eager_propagates
    conf.task_eager_propagates = False
    try:
        yield
    finally:
        conf.task_eager_propagates = previous


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", email="alice@example.test")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", email="bob@example.test")


def _notify(users, **kwargs):
    values = {
        "kind": Notification.Kind.MEETING_CONFIRMED,
        "subject": "Pertemuan dikonfirmasi",
        "body": "Pertemuan Anda dengan PT Uji dikonfirmasi.",
        "url": "/kemitraan/pertemuan/1/",
    }
    return notify(users=users, **{**values, **kwargs})


# --- notify() ---------------------------------------------------------------------


def test_notify_creates_rows_and_one_on_commit_callback_each(
    alice, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        created = _notify([alice, bob, alice])

    assert len(created) == 2
    assert {n.user for n in created} == {alice, bob}
    assert len(callbacks) == 2
    assert mail.outbox == []  # nothing sent before the commit
    alices = Notification.objects.get(user=alice)
    assert alices.kind == "meeting_confirmed"
    assert alices.email_to == "alice@example.test"
    assert alices.sent_at is None
    assert alices.error == ""


def test_after_commit_the_task_sends_the_email(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = _notify([alice])

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.test"]
    assert message.from_email == "Kemitraan <noreply@kemitraan.test>"
    assert message.subject == "Pertemuan dikonfirmasi"
    assert "dengan PT Uji" in message.body
    assert "https://kemitraan.test/kemitraan/pertemuan/1/" in message.body
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert notification.error == ""


def test_a_dedupe_key_is_notified_once_per_user(alice, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _notify([alice], dedupe_key="meeting-reminder:7")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = _notify([alice, bob], dedupe_key="meeting-reminder:7")
    with django_capture_on_commit_callbacks(execute=True) as again:
        third = _notify([alice, bob], dedupe_key="meeting-reminder:7")

    assert len(first) == 1
    assert [n.user for n in second] == [bob]
    assert len(callbacks) == 1
    assert third == [] and again == []
    assert Notification.objects.filter(dedupe_key="meeting-reminder:7").count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.test", "bob@example.test"]
    # Without a key the same message may be sent again.
    assert len(_notify([alice])) == 1
    assert len(_notify([alice])) == 1


def test_a_user_without_an_email_gets_the_inbox_row_only(django_capture_on_commit_callbacks):
    nobody = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        (notification,) = _notify([nobody])

    assert callbacks == []
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.sent_at is None
    assert notification.email_to == ""
    assert notification.error == NO_EMAIL_ERROR
    # The task, if called anyway, does nothing.
    assert notification_send_task.delay(notification.pk).get() == "no-address"


def test_inactive_users_are_skipped(alice):
    alice.is_active = False
    alice.save()
    assert _notify([alice]) == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"subject": "  "}, "subject"),
        ({"url": "https://elsewhere.example/"}, "url"),
        ({"url": "//elsewhere.example/"}, "url"),
    ],
)
def test_notify_refuses_bad_input(alice, kwargs, field):
    with pytest.raises(ValidationError) as error:
        _notify([alice], **kwargs)
    assert field in error.value.message_dict
    assert not Notification.objects.exists()


# --- the send task --------------------------------------------------------------------


def test_the_send_task_is_idempotent(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        (notification,) = _notify([alice])

    assert notification_send_task.delay(notification.pk).get() == "sent"
    assert notification_send_task.delay(notification.pk).get() == "already-sent"
    assert len(mail.outbox) == 1
    assert notification_send_task.delay(999_999).get() == "missing"


def test_an_smtp_error_is_retried_and_then_cleared(
    alice, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingOnceBackend"
    FailingOnceBackend.attempts = 0
    with django_capture_on_commit_callbacks():
        (notification,) = _notify([alice])

    # In-process, a retry runs at once (throw=False: retries are not propagated as errors).
    result = notification_send_task.apply(args=[notification.pk], throw=False)

    assert result.get() == "sent"
    assert FailingOnceBackend.attempts == 2
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert notification.error == ""


def test_a_lasting_smtp_error_is_recorded_after_the_retries(
    alice, settings, django_capture_on_commit_callbacks, caplog, retries_run_in_process
):
    settings.EMAIL_BACKEND = f"{__name__}.AlwaysFailingBackend"
    AlwaysFailingBackend.attempts = 0
    with django_capture_on_commit_callbacks():
        (notification,) = _notify([alice])

    result = notification_send_task.apply(args=[notification.pk], throw=False)

    assert result.failed()
    assert isinstance(result.result, smtplib.SMTPServerDisconnected)

    assert AlwaysFailingBackend.attempts == MAX_RETRIES + 1
    notification.refresh_from_db()
    assert notification.sent_at is None
    assert "SMTPServerDisconnected" in notification.error
    # Personal data stays out of the logs.
    assert "alice@example.test" not in caplog.text
    assert str(notification.pk) in caplog.text


def test_a_mail_failure_after_commit_does_not_break_the_caller(
    alice, settings, django_capture_on_commit_callbacks
):
    """In-process (no broker) the e-mail is sent on commit; a failure there is logged,
    the change that notified stays committed."""
    settings.EMAIL_BACKEND = f"{__name__}.AlwaysFailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = _notify([alice])
    notification.refresh_from_db()
    assert notification.sent_at is None
    assert "SMTPServerDisconnected" in notification.error


# --- the inbox ----------------------------------------------------------------------


def test_the_inbox_shows_only_ones_own_notifications(client, alice, bob):
    _notify([alice], subject="Untuk Alice", url="/kemitraan/mou/5/")
    _notify([bob], subject="Untuk Bob")
    _notify([UserFactory(email="")], subject="Untuk orang lain")

    client.force_login(alice)
    response = client.get("/pemberitahuan/")

    assert response.status_code == 200
    assert [n.subject for n in response.context["notifications"]] == ["Untuk Alice"]
    content = response.content.decode()
    assert "Untuk Alice" in content
    assert 'href="/kemitraan/mou/5/"' in content
    assert "Untuk Bob" not in content
    assert "alice@example.test" not in content
    assert list(Notification.objects.visible_to(bob).values_list("subject", flat=True)) == [
        "Untuk Bob"
    ]


def test_the_inbox_is_newest_first_and_paginated(client, alice):
    for number in range(30):
        _notify([alice], subject=f"Pesan {number}")
    client.force_login(alice)

    first = client.get("/pemberitahuan/")
    second = client.get("/pemberitahuan/?page=2")

    assert first.context["notifications"][0].subject == "Pesan 29"
    assert len(first.context["notifications"]) == 25
    assert [n.subject for n in second.context["notifications"]][-1] == "Pesan 0"


def test_staff_do_not_see_others_notifications(client, alice, kemenperin_user):
    _notify([alice], subject="Pribadi")
    kemenperin_user.is_superuser = True
    kemenperin_user.save()
    client.force_login(kemenperin_user)
    response = client.get("/pemberitahuan/")
    assert "Pribadi" not in response.content.decode()


def test_the_user_menu_links_to_the_inbox(client, alice):
    client.force_login(alice)
    response = client.get("/pemberitahuan/")
    assert 'href="/pemberitahuan/"' in response.content.decode()


# --- MoUs nearing expiry ---------------------------------------------------------------


@pytest.fixture
def expiring_setup(buyer_org, other_buyer_org, kemenperin_user, kadin_user):
    today = datetime.date(2025, 6, 1)
    buyer = BuyerProfileFactory(organisation=buyer_org)
    officer = UserFactory(role=Role.PENGADAAN, organisation=buyer_org, email="beli@example.test")
    officer_no_email = UserFactory(role=Role.PENGADAAN, organisation=buyer_org, email="")
    other_officer = UserFactory(
        role=Role.PENGADAAN, organisation=other_buyer_org, email="lain@example.test"
    )
    no_role_member = UserFactory(organisation=buyer_org, email="tamu@example.test")
    kemenperin_user.email = "staf@kemenperin.test"
    kemenperin_user.save()
    in_days = lambda days: today + datetime.timedelta(days=days)  # noqa: E731
    soon = MouFactory(buyer=buyer, valid_until=in_days(10), status=MoU.Status.ACTIVE)
    last_day = MouFactory(buyer=buyer, valid_until=in_days(30), status=MoU.Status.SIGNED)
    ends_today = MouFactory(buyer=buyer, valid_until=today, status=MoU.Status.ACTIVE)
    ignored = [
        MouFactory(buyer=buyer, valid_until=in_days(31), status=MoU.Status.ACTIVE),
        MouFactory(buyer=buyer, valid_until=in_days(-1), status=MoU.Status.ACTIVE),
        MouFactory(buyer=buyer, valid_until=in_days(5), status=MoU.Status.DRAFT),
        MouFactory(
            buyer=buyer,
            valid_until=in_days(5),
            status=MoU.Status.TERMINATED,
            termination_reason="Dibatalkan",
        ),
        MouFactory(buyer=buyer, valid_until=in_days(5), status=MoU.Status.EXPIRED),
    ]
    return {
        "today": today,
        "due": [soon, last_day, ends_today],
        "ignored": ignored,
        "told": {officer, officer_no_email, kemenperin_user},
        "not_told": {other_officer, no_role_member, kadin_user},
    }


def test_mou_expiring_notifies_the_buyers_officers_and_kemenperin_once(
    expiring_setup, django_capture_on_commit_callbacks
):
    s = expiring_setup
    with django_capture_on_commit_callbacks(execute=True):
        created = mou_expiring_notify(today=s["today"])

    assert created == 3 * 3
    notifications = Notification.objects.filter(kind=Notification.Kind.MOU_EXPIRING)
    assert {n.user for n in notifications} == s["told"]
    assert not notifications.filter(user__in=s["not_told"]).exists()
    mou_ids = {int(n.dedupe_key.split(":")[1]) for n in notifications}
    assert mou_ids == {m.pk for m in s["due"]}
    soon = s["due"][0]
    assert (
        notifications.filter(
            dedupe_key=f"mou-expiring:{soon.pk}:{soon.valid_until}",
            url=f"/kemitraan/mou/{soon.pk}/",
        ).count()
        == 3
    )
    assert soon.number in notifications.filter(dedupe_key__contains=f":{soon.pk}:")[0].subject
    # Two users with addresses x three MoUs.
    assert len(mail.outbox) == 6
    assert {m.to[0] for m in mail.outbox} == {"beli@example.test", "staf@kemenperin.test"}

    # A second run tells nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        assert mou_expiring_notify(today=s["today"]) == 0
    assert len(mail.outbox) == 6
    assert Notification.objects.count() == 9

    # The next day, only the MoU now 30 days from its end is new.
    next_day = s["today"] + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert mou_expiring_notify(today=next_day) == 3
    new_mou = s["ignored"][0]
    assert (
        Notification.objects.filter(dedupe_key__startswith=f"mou-expiring:{new_mou.pk}:").count()
        == 3
    )


def test_a_new_end_date_is_notified_again(expiring_setup):
    s = expiring_setup
    mou_expiring_notify(today=s["today"])
    soon = s["due"][0]
    soon.valid_until += datetime.timedelta(days=3)
    soon.save()
    assert mou_expiring_notify(today=s["today"]) == 3


def test_the_daily_task_runs_the_service(expiring_setup, monkeypatch):
    s = expiring_setup
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: s["today"])
    assert mou_expiring_notify_task.delay().get() == 9
    assert mou_expiring_notify_task.delay().get() == 0


# --- through a real worker -------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_notification_is_emailed_by_the_worker(celery_worker_process):
    user = UserFactory(email="pekerja@example.test")
    notification = Notification.objects.create(
        user=user,
        kind=Notification.Kind.OTHER,
        subject="Uji pekerja",
        body="Dikirim oleh worker.",
        email_to=user.email,
    )

    result = notification_send_task.apply_async(
        args=[notification.pk], queue=celery_worker_process["queue"]
    )

    assert result.get(timeout=30) == "sent"
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert notification.error == ""
