"""Filters of the akad list. Stage, province, sector, event and period mean what they mean on
the dashboard (``dasbor.figures``): a figure's link lists exactly the akad it counts."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from ikm.filters import kbli_in_division, link_match_events
from ikm.kbli_divisions import division_choices
from ikm.models import Province
from kemitraan.filters import ListFilterSet

from .models import AkadKredit, CreditScheme, Disbursement, LenderProfile

PIPELINE, SIGNED, DISBURSED = "pipeline", "signed", "disbursed"


class AkadFilterSet(ListFilterSet):
    """Filters over ``AkadKredit.objects.visible_to(user)``; every one narrows the result."""

    organisation_filter = "lender"

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        help_text=_("Akad or application number, borrower name or NIB."),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=AkadKredit.Status.choices, empty_label=_("All")
    )
    stage = django_filters.ChoiceFilter(
        label=_("Stage"),
        choices=[
            (PIPELINE, _("In the pipeline (awaiting decision or approved)")),
            (SIGNED, _("Signed (signed, disbursed, repaying or paid off)")),
            (DISBURSED, _("Disbursed (at least one tranche)")),
        ],
        method="filter_stage",
        empty_label=_("All"),
    )
    scheme = django_filters.ModelChoiceFilter(
        label=_("Scheme"),
        queryset=CreditScheme.objects.all(),
        to_field_name="code",
        empty_label=_("All"),
    )
    lender = django_filters.ModelChoiceFilter(
        label=_("Lender"),
        queryset=LenderProfile.objects.select_related("organisation"),
        empty_label=_("All"),
    )
    province = django_filters.ModelChoiceFilter(
        label=_("Province"),
        queryset=Province.objects.all(),
        to_field_name="code",
        field_name="borrower__province",
        empty_label=_("All"),
        help_text=_("The borrower's province."),
    )
    sector = django_filters.ChoiceFilter(
        label=_("Sector (KBLI division)"),
        choices=division_choices,
        method="filter_sector",
        empty_label=_("All"),
        help_text=_("The borrower holds a KBLI code in this division."),
    )
    event = django_filters.ModelChoiceFilter(
        label=_("Link & Match event"),
        queryset=link_match_events,
        field_name="mou__event",
        empty_label=_("All"),
        help_text=_("The event of the akad's MoU."),
    )
    date_from = django_filters.DateFilter(
        label=_("From"),
        method="filter_period",
        help_text=_(
            "The signing date for signed akad, the tranche's date for disbursed ones, "
            "else the application date."
        ),
    )
    date_to = django_filters.DateFilter(label=_("To"), method="filter_period")

    class Meta:
        model = AkadKredit
        fields = [
            "q",
            "status",
            "stage",
            "scheme",
            "lender",
            "province",
            "sector",
            "event",
            "date_from",
            "date_to",
        ]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(akad_number__icontains=value)
            | Q(application_number__icontains=value)
            | Q(borrower__name__icontains=value)
            | Q(borrower__nib=value.replace(" ", ""))
        )

    def filter_stage(self, queryset, name, value):
        if value == PIPELINE:
            return queryset.in_pipeline()
        if value == SIGNED:
            return queryset.signed()
        if value == DISBURSED:
            return queryset.filter(Exists(Disbursement.objects.filter(akad_id=OuterRef("pk"))))
        return queryset

    def filter_sector(self, queryset, name, value):
        return queryset.filter(Exists(kbli_in_division(value, OuterRef("borrower_id"))))

    def filter_period(self, queryset, name, value):
        return queryset  # both ends together, by stage, in filter_queryset

    def filter_queryset(self, queryset):
        """The period's date is the stage's: signed → signing date; disbursed → a tranche
        paid out in the period; otherwise (pipeline, no stage) → application date."""
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if not start and not end:
            return queryset
        stage = data.get("stage")
        field = {SIGNED: "signed_on", DISBURSED: "disbursed_on"}.get(stage, "applied_on")
        period = Q()
        if start:
            period &= Q(**{f"{field}__gte": start})
        if end:
            period &= Q(**{f"{field}__lte": end})
        if stage == DISBURSED:
            tranches = Disbursement.objects.filter(period, akad_id=OuterRef("pk"))
            return queryset.filter(Exists(tranches))
        return queryset.filter(period)
