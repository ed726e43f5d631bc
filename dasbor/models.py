"""Snapshots of the program's figures, computed by a Celery job (see :mod:`dasbor.services`).

A :class:`Snapshot` is one run of the job; its :class:`SnapshotFigures` rows hold the figures
of each scope: the whole program, and each buyer's and lender's own slice. The dashboard page
and the API read one row; older snapshots keep their program row as the history.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation

PROGRAM = "program"


class SnapshotQuerySet(models.QuerySet):
    def complete(self):
        return self.filter(finished_at__isnull=False)


class Snapshot(models.Model):
    class Trigger(models.TextChoices):
        CHANGE = "change", _("After a change")
        NIGHTLY = "nightly", _("Nightly")
        MANUAL = "manual", _("On request")
        SEED = "seed", _("Demo data loaded")

    computed_at = models.DateTimeField(_("computed at"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    scope_count = models.PositiveIntegerField(_("scopes"), default=0)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")
        ordering = ["-computed_at", "-id"]

    def __str__(self):
        return f"{self.computed_at:%Y-%m-%d %H:%M:%S} ({self.get_trigger_display()})"


class SnapshotFigures(models.Model):
    """The figures of one scope in one snapshot: the program's (``organisation`` empty) or
    one organisation's slice."""

    snapshot = models.ForeignKey(
        Snapshot, verbose_name=_("snapshot"), on_delete=models.CASCADE, related_name="figures"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    figures = models.JSONField(_("figures"))

    class Meta:
        verbose_name = _("snapshot figures")
        verbose_name_plural = _("snapshot figures")
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "organisation"], name="dasbor_figures_one_per_scope"
            ),
            models.UniqueConstraint(
                fields=["snapshot"],
                condition=models.Q(organisation__isnull=True),
                name="dasbor_figures_one_program_row",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "snapshot"], name="dasbor_fig_org_snap_idx"),
        ]

    def __str__(self):
        return f"{self.snapshot} · {self.organisation or PROGRAM}"
