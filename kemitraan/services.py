"""Writes with rules for partnerships: procurement needs, the buyer's actions on
suggestions, MoU expiry.

Every service takes ``actor=`` (recorded as the history user), is atomic and runs
``full_clean()`` before saving. Refusals raise ``ValidationError`` with a message constant
from this module. Matching itself lives in :mod:`kemitraan.matching`.
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Demand, MatchSuggestion, MoU

logger = logging.getLogger(__name__)

DISMISSAL_NEEDS_REASON = _("Write why this supplier does not fit: it will not be suggested again.")
SUGGESTION_NOT_ELIGIBLE = _(
    "This supplier no longer passes the need's filters; it can be dismissed but not shortlisted."
)
BUYER_MISMATCH = _("A need belongs to the buyer of the officer's own organisation.")


def _enqueue_demand_match(demand_id: int) -> None:
    from .tasks import demand_match_task

    transaction.on_commit(lambda: demand_match_task.delay(demand_id))


def _save_demand(demand: Demand, *, actor, reason: str, m2m: dict) -> Demand:
    demand._history_user = actor
    demand._change_reason = reason
    demand.full_clean()
    demand.save()
    for name, values in m2m.items():
        if values is not None:
            getattr(demand, name).set(values)
    _enqueue_demand_match(demand.pk)
    return demand


@transaction.atomic
def demand_create(
    *,
    demand: Demand,
    actor,
    kbli=(),
    processes=(),
    required_certifications=(),
    preferred_certifications=(),
) -> Demand:
    """Post a procurement need (built by a form or the API). Its suggestions are computed
    by a Celery job enqueued when the transaction commits."""
    if (
        actor.organisation_id
        and not actor.sees_everything
        and demand.buyer.organisation_id != actor.organisation_id
    ):
        raise ValidationError(BUYER_MISMATCH)
    demand.created_by = actor
    return _save_demand(
        demand,
        actor=actor,
        reason="posted",
        m2m={
            "kbli": kbli,
            "processes": processes,
            "required_certifications": required_certifications,
            "preferred_certifications": preferred_certifications,
        },
    )


@transaction.atomic
def demand_update(
    *,
    demand: Demand,
    actor,
    kbli=None,
    processes=None,
    required_certifications=None,
    preferred_certifications=None,
) -> Demand:
    """Save changes to a need (None leaves a set of codes as it is) and rematch it."""
    return _save_demand(
        demand,
        actor=actor,
        reason="edited",
        m2m={
            "kbli": kbli,
            "processes": processes,
            "required_certifications": required_certifications,
            "preferred_certifications": preferred_certifications,
        },
    )


def _act(suggestion: MatchSuggestion, *, actor, status: str, reason: str = "") -> MatchSuggestion:
    suggestion.status = status
    suggestion.dismissed_reason = reason
    suggestion.actioned_by = actor
    suggestion.actioned_at = timezone.now()
    suggestion.full_clean()
    suggestion.save(update_fields=["status", "dismissed_reason", "actioned_by", "actioned_at"])
    logger.info("Suggestion %s of demand %s set to %s", suggestion.pk, suggestion.demand_id, status)
    return suggestion


def _locked(suggestion: MatchSuggestion) -> MatchSuggestion:
    # The row lock orders an action after a recompute that is rewriting the need.
    return MatchSuggestion.objects.select_for_update().get(pk=suggestion.pk)


@transaction.atomic
def suggestion_shortlist(*, suggestion: MatchSuggestion, actor) -> MatchSuggestion:
    """Put a supplier on the need's shortlist: its contacts become visible to the buyer."""
    suggestion = _locked(suggestion)
    if not suggestion.eligible:
        raise ValidationError(SUGGESTION_NOT_ELIGIBLE)
    return _act(suggestion, actor=actor, status=MatchSuggestion.Status.SHORTLISTED)


@transaction.atomic
def suggestion_mark_contacted(*, suggestion: MatchSuggestion, actor) -> MatchSuggestion:
    """Record that the buyer has contacted the supplier about this need."""
    suggestion = _locked(suggestion)
    if not suggestion.eligible:
        raise ValidationError(SUGGESTION_NOT_ELIGIBLE)
    return _act(suggestion, actor=actor, status=MatchSuggestion.Status.CONTACTED)


@transaction.atomic
def suggestion_dismiss(*, suggestion: MatchSuggestion, actor, reason: str) -> MatchSuggestion:
    """Dismiss a supplier for this need, with the reason. It never comes back for it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": DISMISSAL_NEEDS_REASON})
    suggestion = _locked(suggestion)
    suggestion = _act(
        suggestion, actor=actor, status=MatchSuggestion.Status.DISMISSED, reason=reason
    )
    # The next supplier in line takes its place in the top 20.
    _enqueue_demand_match(suggestion.demand_id)
    return suggestion


@transaction.atomic
def suggestion_restore(*, suggestion: MatchSuggestion, actor) -> MatchSuggestion:
    """Undo an action: the supplier is an ordinary suggestion again (and can come back)."""
    suggestion = _locked(suggestion)
    was_dismissed = suggestion.status == MatchSuggestion.Status.DISMISSED
    suggestion = _act(suggestion, actor=actor, status=MatchSuggestion.Status.SUGGESTED)
    if was_dismissed:  # it competes for a place again
        _enqueue_demand_match(suggestion.demand_id)
    return suggestion


@transaction.atomic
def mou_expire_due(*, today: datetime.date | None = None) -> int:
    """Mark signed or active MoUs whose validity has ended as expired. Safe to run twice.

    Returns how many MoUs were expired now. Each change is recorded in the MoU's history.
    """
    today = today or timezone.localdate()
    due = MoU.objects.select_for_update().filter(
        status__in=MoU.IN_FORCE_STATUSES, valid_until__lt=today
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


MOU_EXPIRING_DAYS = 30


def mou_expiring_notify(*, today: datetime.date | None = None) -> int:
    """Tell the buyer's procurement officers and Kemenperin staff about signed or active
    MoUs ending within ``MOU_EXPIRING_DAYS`` days (today included). Safe to run daily:
    each user hears about an MoU's end date once (a de-duplication key).

    Returns how many notifications were created now.
    """
    from django.conf import settings
    from django.urls import reverse
    from django.utils import formats, translation
    from django.utils.translation import gettext

    from accounts.models import Notification, User
    from accounts.notifications import notify
    from accounts.roles import Role

    today = today or timezone.localdate()
    due = (
        MoU.objects.filter(
            status__in=MoU.IN_FORCE_STATUSES,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=MOU_EXPIRING_DAYS),
        )
        .select_related("buyer__organisation")
        .order_by("valid_until", "pk")
    )
    staff = list(User.objects.filter(is_active=True, groups__name=Role.KEMENPERIN).distinct())
    count = 0
    for mou in due:
        officers = User.objects.filter(
            is_active=True,
            organisation_id=mou.buyer.organisation_id,
            groups__name=Role.PENGADAAN,
        ).distinct()
        days = (mou.valid_until - today).days
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            subject = gettext("MoU %(number)s ends on %(date)s") % {
                "number": mou.number,
                "date": formats.date_format(mou.valid_until, "DATE_FORMAT"),
            }
            body = gettext(
                "The MoU %(number)s (%(title)s) of %(buyer)s is valid until %(date)s, "
                "%(days)s day(s) from today. Extend it or record its outcome before then."
            ) % {
                "number": mou.number,
                "title": mou.title,
                "buyer": mou.buyer.organisation.name,
                "date": formats.date_format(mou.valid_until, "DATE_FORMAT"),
                "days": days,
            }
            created = notify(
                users=[*officers, *staff],
                kind=Notification.Kind.MOU_EXPIRING,
                subject=subject,
                body=body,
                url=reverse("kemitraan:mou-detail", args=[mou.pk]),
                dedupe_key=f"mou-expiring:{mou.pk}:{mou.valid_until.isoformat()}",
            )
        count += len(created)
    if count:
        logger.info("Sent %d notification(s) of MoUs nearing expiry", count)
    return count
