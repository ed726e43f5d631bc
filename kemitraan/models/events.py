"""Link & Match events."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation


class LinkMatchEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Events are public to every signed-in role."""
        if not user.is_authenticated:
            return self.none()
        return self


class LinkMatchEvent(models.Model):
    """A Link & Match exhibition or business-matching event."""

    class Kind(models.TextChoices):
        EXHIBITION = "exhibition", _("Exhibition")
        BUSINESS_MATCHING = "business_matching", _("Business matching")

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sector = models.CharField(_("sector"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    organiser = models.ForeignKey(
        Organisation,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="organised_events",
    )
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = LinkMatchEventQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Link & Match event")
        verbose_name_plural = _("Link & Match events")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="event_end_not_before_start",
                violation_error_message=_("An event cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return self.name
