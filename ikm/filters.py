"""The IKM directory's filters, shared by the directory screen and ``/api/v1/ikm/``."""

import django_filters
from django import forms
from django.apps import apps
from django.db.models import Exists, OuterRef
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .kbli_divisions import division_choices
from .models import IKM, Certificate, CertificationType, Kbli, ProcessCapability, Province, Regency
from .search import search_ikm
from .size_class import SizeClass

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def link_match_events(request=None):
    """The Link & Match events (public to every signed-in role), newest first. ikm does not
    import kemitraan, the app above it: the model is looked up by name."""
    return apps.get_model("kemitraan", "LinkMatchEvent").objects.order_by("-start_date", "name")


class QuickSelect(forms.Select):
    """A select built in Python rather than with a template per option: the directory's
    lists (38 provinces, regencies, KBLI, processes...) made up much of the page's time."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            "<select{}>{}</select>", flatatt(widget["attrs"] | {"name": name}), options
        )


def kbli_in_division(division: str, ikm):
    """The KBLI links of ``ikm`` (an ``OuterRef`` to an IKM id) in a two-digit division: for
    an ``Exists`` (no duplicate rows)."""
    return IKM.kbli.through.objects.filter(ikm_id=ikm, kbli__code__startswith=division)


@extend_schema_field(OpenApiTypes.INT)
class EventChoiceFilter(django_filters.ModelChoiceFilter):
    """An event by id (the schema cannot read the type from a callable queryset)."""


class IkmFilterSet(django_filters.FilterSet):
    """Filters over ``IKM.objects.visible_to(user)``; every one narrows the result (AND)."""

    search = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        help_text=_("Name, products or materials; Indonesian word forms and name typos match."),
    )
    province = django_filters.ModelChoiceFilter(
        label=_("Province"),
        queryset=Province.objects.all(),
        to_field_name="code",
        help_text=_("Province code, e.g. 32."),
    )
    regency = django_filters.ModelChoiceFilter(
        label=_("Regency/city"),
        queryset=Regency.objects.all(),
        to_field_name="code",
        help_text=_("Regency or city code, e.g. 32.16."),
    )
    kbli = django_filters.ModelChoiceFilter(
        label=_("KBLI"),
        queryset=Kbli.objects.all(),
        to_field_name="code",
        method="filter_kbli",
        help_text=_("KBLI 2020 code, e.g. 29300."),
    )
    process = django_filters.ModelChoiceFilter(
        label=_("Process"),
        queryset=ProcessCapability.objects.all(),
        to_field_name="slug",
        method="filter_process",
        help_text=_("Process capability slug, e.g. stamping."),
    )
    certification = django_filters.ModelChoiceFilter(
        label=_("Valid certification"),
        queryset=CertificationType.objects.all(),
        to_field_name="code",
        method="filter_certification",
        help_text=_("Certification type code, e.g. ISO9001: held and valid today."),
    )
    size_class = django_filters.ChoiceFilter(
        label=_("Size class"), choices=SizeClass.choices, method="filter_size_class"
    )
    min_capacity = django_filters.NumberFilter(
        label=_("Monthly capacity at least"),
        field_name="monthly_capacity",
        lookup_expr="gte",
        min_value=0,
    )
    min_tkdn = django_filters.NumberFilter(
        label=_("TKDN at least (%)"),
        field_name="tkdn",
        lookup_expr="gte",
        min_value=0,
        max_value=100,
    )
    verification_status = django_filters.ChoiceFilter(
        label=_("Verification status"), choices=IKM.Status.choices
    )
    status_group = django_filters.ChoiceFilter(
        label=_("Status group"),
        choices=[("registered", _("Registered (active, submitted or verified)"))],
        method="filter_status_group",
        help_text=_("registered: active IKM that are submitted or verified."),
    )
    sector = django_filters.ChoiceFilter(
        label=_("Sector (KBLI division)"),
        choices=division_choices,
        method="filter_sector",
        help_text=_("Two-digit KBLI division, e.g. 29: the IKM holds a KBLI code in it."),
    )
    event = EventChoiceFilter(
        label=_("Link & Match event"),
        queryset=link_match_events,
        method="filter_event",
        help_text=_("Link & Match event id: the IKM is an approved participant of it."),
    )
    date_from = django_filters.DateFilter(
        label=_("Registered from"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=DATE_INPUT,
        help_text=_("ISO date, e.g. 2025-01-31."),
    )
    date_to = django_filters.DateFilter(
        label=_("Registered until"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=DATE_INPUT,
        help_text=_("ISO date, e.g. 2025-12-31."),
    )

    class Meta:
        model = IKM
        fields = []

    def filter_search(self, queryset, name, value: str):
        queryset = search_ikm(queryset, value)
        if "search_rank" in queryset.query.annotations:
            queryset = queryset.order_by("-search_rank", "name", "pk")
        return queryset

    def filter_kbli(self, queryset, name, value: Kbli):
        links = IKM.kbli.through.objects.filter(ikm_id=OuterRef("pk"), kbli_id=value.pk)
        return queryset.filter(Exists(links))

    def filter_process(self, queryset, name, value: ProcessCapability):
        links = IKM.processes.through.objects.filter(
            ikm_id=OuterRef("pk"), processcapability_id=value.pk
        )
        return queryset.filter(Exists(links))

    def filter_certification(self, queryset, name, value: CertificationType):
        held = Certificate.objects.valid_on().filter(
            ikm_id=OuterRef("pk"), certification_type_id=value.pk
        )
        return queryset.filter(Exists(held))

    def filter_status_group(self, queryset, name, value: str):
        if value == "registered":
            return queryset.filter(is_active=True, verification_status__in=IKM.REGISTERED_STATUSES)
        return queryset

    def filter_sector(self, queryset, name, value: str):
        return queryset.filter(Exists(kbli_in_division(value, OuterRef("pk"))))

    def filter_event(self, queryset, name, value):
        participants = apps.get_model("kemitraan", "EventParticipant").objects.approved()
        return queryset.filter(
            Exists(participants.filter(event_id=value.pk, ikm_id=OuterRef("pk")))
        )

    def filter_size_class(self, queryset, name, value: str):
        if "size_class_code" not in queryset.query.annotations:
            queryset = queryset.with_size_class()
        return queryset.filter(size_class_code=value)


class DirectoryFilterSet(IkmFilterSet):
    """The screen's variant: the regency list shows the chosen province's regencies only;
    a regency outside the chosen province is dropped (the user just changed the province),
    and a regency without a province brings its province along."""

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            province, regency = data.get("province", ""), data.get("regency", "")
            if regency and not province:
                data["province"] = regency[:2]  # a shared link may name only the regency
            elif province and regency and not regency.startswith(f"{province}."):
                data.pop("regency")
        super().__init__(data, *args, **kwargs)
        # The regency list follows the province (htmx reloads it when the province changes);
        # 514 options for the whole country would be slow to render and to use.
        province = self.data.get("province", "") if self.data else ""
        self.filters["regency"].queryset = Regency.objects.filter(province_id=province)
        self.filters["search"].extra["widget"] = forms.SearchInput(attrs={"autocomplete": "off"})
        user = getattr(self.request, "user", None)
        if user is not None and not getattr(user, "sees_everything", False):
            # Buyers and lenders only ever see submitted and verified IKM.
            visible = IKM.REGISTERED_STATUSES
            self.filters["verification_status"].extra["choices"] = [
                (value, label) for value, label in IKM.Status.choices if value in visible
            ]
        for name, filter_ in self.filters.items():
            if name != "search":
                filter_.extra["help_text"] = ""  # the codes in them are for API users
            if isinstance(filter_, django_filters.ModelChoiceFilter | django_filters.ChoiceFilter):
                filter_.extra["widget"] = QuickSelect


def compact_filter_widgets(filters) -> None:
    """Small Bootstrap widgets for a list's filter bar (the akad, need and MoU lists): a
    ``QuickSelect`` for every choice, a date input for dates, a search box with the help
    text as its placeholder for text. ``filters``: a FilterSet instance's ``filters``."""
    for filter_ in filters.values():
        if isinstance(filter_, django_filters.ChoiceFilter):  # ModelChoiceFilter too
            filter_.extra["widget"] = QuickSelect(attrs={"class": "form-select form-select-sm"})
        elif isinstance(filter_, django_filters.DateFilter):
            filter_.extra["widget"] = forms.DateInput(
                attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
            )
        elif isinstance(filter_, django_filters.CharFilter):
            filter_.extra["widget"] = forms.SearchInput(
                attrs={
                    "class": "form-control form-control-sm",
                    "placeholder": filter_.extra.get("help_text", ""),
                }
            )
