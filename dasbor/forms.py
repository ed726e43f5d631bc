"""The filter forms of the dashboard (period, Link & Match event, province, KBLI division)
and, on the same base, of the audit trail (``audit_views.AuditFilterForm``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ikm.kbli_divisions import division_choices

from .figures import Filters, filter_choices


class PeriodFilterForm(forms.Form):
    """A filter form with a period (``date_from``, ``date_to``; its end not before its start)
    and Bootstrap's classes on every field."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = css

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
        return cleaned


class DashboardFilterForm(PeriodFilterForm):
    event = forms.TypedChoiceField(label=_("Event"), required=False, coerce=int, empty_value=None)
    province = forms.ChoiceField(label=_("Province"), required=False)
    sector = forms.ChoiceField(label=_("Sector (KBLI division)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = filter_choices()
        everything = [("", _("All"))]
        self.fields["event"].choices = everything + [
            (str(pk), name) for pk, name in choices["events"]
        ]
        self.fields["province"].choices = everything + choices["provinces"]
        self.fields["sector"].choices = everything + division_choices()

    def filters(self) -> Filters:
        """The chosen filters; none when the form is unbound or invalid."""
        if not self.is_bound or not self.is_valid():
            return Filters()
        data = self.cleaned_data
        return Filters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            province=data.get("province") or None,
            sector=data.get("sector") or None,
            event=data.get("event"),
        )
