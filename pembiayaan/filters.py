"""Filters of the akad list."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import AkadKredit, CreditScheme, LenderProfile


class AkadFilterSet(django_filters.FilterSet):
    """Filters over ``AkadKredit.objects.visible_to(user)``; every one narrows the result."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        help_text=_("Akad or application number, borrower name or NIB."),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=AkadKredit.Status.choices, empty_label=_("All")
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

    class Meta:
        model = AkadKredit
        fields = ["q", "status", "scheme", "lender"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.sees_everything:
            del self.filters["lender"]  # a lender officer sees their own lender's only

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
