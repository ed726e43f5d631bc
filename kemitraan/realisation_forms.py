"""Forms of the realisation ledger. They turn raw input into clean values; the rules (totals,
dates, who may record) live in :mod:`kemitraan.realisation`, whose refusals are put next to
the field they concern."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ikm.forms import MoneyField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class LabelledForm(forms.Form):
    """Labels written like the model's verbose names, shown with a capital."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.label = capfirst(f.label)


class PurchaseOrderForm(LabelledForm):
    prefix = "po"

    number = forms.CharField(label=_("PO number"), max_length=100)
    order_date = forms.DateField(label=_("order date"), widget=DateInput())
    value = MoneyField(label=_("order value (Rp)"))
    payment_terms_days = forms.IntegerField(
        label=_("payment terms (days)"),
        min_value=0,
        max_value=365,
        initial=30,
        help_text=_("Days from delivery to payment."),
    )
    description = forms.CharField(
        label=_("parts ordered"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EntryForm(LabelledForm):
    """A delivery or a payment: date, value, reference."""

    date = forms.DateField(label=_("date"), widget=DateInput())
    value = MoneyField(label=_("value (Rp)"))
    reference = forms.CharField(label=_("reference"), max_length=100, required=False)


class DeliveryForm(EntryForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].label = capfirst(_("delivery date"))
        self.fields["value"].label = capfirst(_("delivered value (Rp)"))
        self.fields["reference"].label = capfirst(_("delivery note"))


class PaymentForm(EntryForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].label = capfirst(_("payment date"))
        self.fields["value"].label = capfirst(_("paid value (Rp)"))
        self.fields["reference"].label = capfirst(_("payment reference"))


class CorrectionForm(LabelledForm):
    reason = forms.CharField(label=_("reason for the correction"), max_length=85)
