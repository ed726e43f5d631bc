"""Filters of the need and MoU lists. Each narrows what the user may see
(``visible_to``); their meaning is the dashboard's (``dasbor.figures.Scope``), so that a
figure's link lists exactly the records it counts."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from ikm.filters import compact_filter_widgets, kbli_in_division, link_match_events
from ikm.kbli_divisions import division_choices
from ikm.models import Province

from .models import BuyerProfile, Demand, MoU, MouParticipant

# The MoU states the dashboard counts (dasbor.figures): in force, and signed (since).
MOU_STATES = {
    "in_force": Q(status__in=MoU.IN_FORCE_STATUSES),
    "signed": Q(signing_date__isnull=False) & ~Q(status=MoU.Status.DRAFT),
}


def _buyers():
    return BuyerProfile.objects.select_related("organisation").order_by("organisation__name")


class ListFilterSet(django_filters.FilterSet):
    """A list's filter bar: compact widgets; the organisation filter only for users who see
    everything (a procurement or lender officer sees their own organisation's records only)."""

    organisation_filter = "buyer"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.sees_everything:
            self.filters.pop(self.organisation_filter, None)
        compact_filter_widgets(self.filters)


class DemandFilterSet(ListFilterSet):
    """Filters over ``Demand.objects.visible_to(user)``."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Demand.Status.choices, empty_label=_("All")
    )
    province = django_filters.ModelChoiceFilter(
        label=_("Province"),
        queryset=Province.objects.all(),
        to_field_name="code",
        empty_label=_("All"),
        help_text=_("The need's preferred province (code, e.g. 32)."),
    )
    buyer = django_filters.ModelChoiceFilter(
        label=_("Buyer"), queryset=_buyers(), empty_label=_("All")
    )
    date_from = django_filters.DateFilter(
        label=_("Posted from"), field_name="created_at", lookup_expr="date__gte"
    )
    date_to = django_filters.DateFilter(
        label=_("Posted until"), field_name="created_at", lookup_expr="date__lte"
    )

    class Meta:
        model = Demand
        fields = ["status", "province", "buyer", "date_from", "date_to"]


class MouFilterSet(ListFilterSet):
    """Filters over ``MoU.objects.visible_to(user)``. Province and sector are those of the
    participating IKM: an MoU matches when one participant is in the province and (when
    both are chosen) that same participant holds a KBLI code in the division."""

    state = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[
            ("in_force", _("In force (signed or active)")),
            ("signed", _("Signed (signed, active, expired or ended since)")),
        ],
        method="filter_state",
        empty_label=_("All"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=MoU.Status.choices, empty_label=_("All")
    )
    buyer = django_filters.ModelChoiceFilter(
        label=_("Buyer"), queryset=_buyers(), empty_label=_("All")
    )
    event = django_filters.ModelChoiceFilter(
        label=_("Link & Match event"),
        queryset=link_match_events,
        field_name="event",
        empty_label=_("All"),
    )
    province = django_filters.ModelChoiceFilter(
        label=_("Province"),
        queryset=Province.objects.all(),
        to_field_name="code",
        method="filter_participants",
        empty_label=_("All"),
        help_text=_("An IKM of the MoU is in this province."),
    )
    sector = django_filters.ChoiceFilter(
        label=_("Sector (KBLI division)"),
        choices=division_choices,
        method="filter_participants",
        empty_label=_("All"),
        help_text=_("An IKM of the MoU holds a KBLI code in this division."),
    )
    date_from = django_filters.DateFilter(
        label=_("Signed from"), field_name="signing_date", lookup_expr="gte"
    )
    date_to = django_filters.DateFilter(
        label=_("Signed until"), field_name="signing_date", lookup_expr="lte"
    )

    class Meta:
        model = MoU
        fields = [
            "state",
            "status",
            "buyer",
            "event",
            "province",
            "sector",
            "date_from",
            "date_to",
        ]

    def filter_state(self, queryset, name, value):
        return queryset.filter(MOU_STATES[value]) if value in MOU_STATES else queryset

    def filter_participants(self, queryset, name, value):
        return queryset  # province and sector together, in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        province, sector = data.get("province"), data.get("sector")
        if not province and not sector:
            return queryset
        participants = MouParticipant.objects.filter(mou_id=OuterRef("pk"))
        if province:
            participants = participants.filter(ikm__province_id=province.code)
        if sector:
            participants = participants.filter(Exists(kbli_in_division(sector, OuterRef("ikm_id"))))
        return queryset.filter(Exists(participants))
