"""Forms of the credit screens. They turn raw input into clean values; the rules (scheme
limits, dates, tranche sums, who may act) live in :mod:`pembiayaan.services`, whose refusals
are put next to the field they concern."""

import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ikm.forms import MoneyField
from kemitraan.models import MoU, PurchaseOrder
from kemitraan.mou_forms import IkmField, _kept
from kemitraan.realisation_forms import DateInput, LabelledForm

from .models import AkadKredit, Collateral, CreditScheme, LenderProfile

PO_UNKNOWN = _("No purchase order of this borrower has the number %(numbers)s.")
PO_NEEDS_BORROWER = _("Choose the borrower first: purchase orders are looked up among theirs.")


def rate_field(label, **kwargs):
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        **kwargs,
    )


class AkadForm(forms.ModelForm):
    """An application's terms. The lender is the officer's own (set by the view); the
    status and its dates change only through the actions on the akad's page."""

    borrower = IkmField(
        label=_("Borrower IKM (NIB or name)"),
        help_text=_("The 13-digit NIB, or the exact name of an IKM in the registry."),
    )
    plafon = MoneyField(label=_("plafon (Rp)"), help_text=_("E.g. 500.000.000 or 2,5 miliar."))
    provision_fee = MoneyField(label=_("provision fee (Rp)"), required=False)
    admin_fee = MoneyField(label=_("administration fee (Rp)"), required=False)
    interest_rate = rate_field(_("interest rate (% p.a.)"), help_text=_("E.g. 6 or 9,75."))
    guarantee_coverage = rate_field(_("guarantee coverage (%)"), required=False)
    purchase_order_numbers = forms.CharField(
        label=_("Purchase orders the credit rests on"),
        required=False,
        help_text=_("PO numbers of the borrower, separated by commas or new lines."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = AkadKredit
        fields = [
            "borrower",
            "scheme",
            "mou",
            "application_number",
            "applied_on",
            "plafon",
            "tenor_months",
            "grace_period_months",
            "interest_rate",
            "rate_type",
            "rate_basis",
            "provision_fee",
            "admin_fee",
            "guarantor",
            "guarantee_coverage",
            "purpose",
        ]
        widgets = {"applied_on": DateInput(), "purpose": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, ikm_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["borrower"].queryset = ikm_queryset
        for field in self.fields.values():
            field.label = capfirst(field.label)
        current_scheme = self.instance.scheme_id if self.instance.pk else None
        self.fields["scheme"].queryset = CreditScheme.objects.filter(
            Q(is_active=True) | Q(pk=current_scheme)
        )
        # The MoUs credit can rest on: signed, in effect or expired (and the current one).
        self.fields["mou"].queryset = (
            MoU.objects.filter(
                Q(status__in=[MoU.Status.SIGNED, MoU.Status.ACTIVE, MoU.Status.EXPIRED])
                | Q(pk=self.instance.mou_id)
            )
            .select_related("buyer__organisation")
            .order_by("-signing_date", "number")
        )
        self.fields["mou"].label_from_instance = lambda mou: f"{mou.number} — {mou.buyer}"
        self.fields["mou"].help_text = _(
            "The offtake MoU the borrower takes part in: the buyer's committed market."
        )
        if self.instance.pk:
            self.initial.setdefault(
                "purchase_order_numbers",
                ", ".join(self.instance.purchase_orders.values_list("number", flat=True)),
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Borrower and security"),
                Div(
                    Div("borrower", css_class="col-md-6"),
                    Div("mou", css_class="col-md-6"),
                    css_class="row",
                ),
                "purchase_order_numbers",
            ),
            Fieldset(
                _("Application"),
                Div(
                    Div("scheme", css_class="col-md-4"),
                    Div("application_number", css_class="col-md-4"),
                    Div("applied_on", css_class="col-md-4"),
                    css_class="row",
                ),
                "purpose",
            ),
            Fieldset(
                _("Terms"),
                Div(
                    Div("plafon", css_class="col-md-4"),
                    Div("tenor_months", css_class="col-md-4"),
                    Div("grace_period_months", css_class="col-md-4"),
                    css_class="row",
                ),
                Div(
                    Div("interest_rate", css_class="col-md-4"),
                    Div("rate_type", css_class="col-md-4"),
                    Div("rate_basis", css_class="col-md-4"),
                    css_class="row",
                ),
                Div(
                    Div("provision_fee", css_class="col-md-4"),
                    Div("admin_fee", css_class="col-md-4"),
                    css_class="row",
                ),
                Div(
                    Div("guarantor", css_class="col-md-4"),
                    Div("guarantee_coverage", css_class="col-md-4"),
                    css_class="row",
                ),
            ),
        )

    def clean_provision_fee(self):
        return self.cleaned_data.get("provision_fee") or 0

    def clean_admin_fee(self):
        return self.cleaned_data.get("admin_fee") or 0

    def clean(self):
        cleaned = super().clean()
        numbers = [
            n.strip()
            for n in re.split(r"[,;\n]+", cleaned.get("purchase_order_numbers") or "")
            if n.strip()
        ]
        numbers = list(dict.fromkeys(numbers))
        cleaned["purchase_orders"] = []
        if not numbers:
            return cleaned
        borrower = cleaned.get("borrower")
        if borrower is None:
            self.add_error("purchase_order_numbers", PO_NEEDS_BORROWER)
            return cleaned
        found = {
            po.number.casefold(): po
            for po in PurchaseOrder.objects.filter(participant__ikm=borrower).filter(
                number__iregex=r"^(" + "|".join(re.escape(n) for n in numbers) + r")$"
            )
        }
        missing = [n for n in numbers if n.casefold() not in found]
        if missing:
            self.add_error(
                "purchase_order_numbers",
                ValidationError(PO_UNKNOWN, params={"numbers": ", ".join(missing)}),
            )
        cleaned["purchase_orders"] = [found[n.casefold()] for n in numbers if n.casefold() in found]
        return cleaned

    def _get_validation_exclusions(self):
        # The status fields are the services' (the akad number is unique per lender there),
        # and so is the grace period against the tenor, refused next to the grace period.
        return {
            *super()._get_validation_exclusions(),
            "akad_number",
            "lender",
            "grace_period_months",
        }


class CollateralForm(LabelledForm):
    # A blank first choice: the page's empty rows stay unchanged (and skipped) when untouched.
    kind = forms.ChoiceField(
        label=_("collateral type"), choices=[("", "---------"), *Collateral.Kind.choices]
    )
    description = forms.CharField(label=_("description"), max_length=255, required=False)
    value = MoneyField(label=_("value (Rp)"))
    binding = forms.ChoiceField(
        label=_("binding"), choices=Collateral.Binding.choices, initial="not_bound"
    )

    def clean_value(self):
        value = self.cleaned_data.get("value")
        if value is not None and value <= 0:
            raise ValidationError(_("The collateral's value must be greater than zero."))
        return value


class BaseCollateralFormSet(forms.BaseFormSet):
    def collaterals(self) -> list[dict]:
        return [
            {
                "kind": form.cleaned_data["kind"],
                "description": form.cleaned_data.get("description", ""),
                "value": form.cleaned_data["value"],
                "binding": form.cleaned_data["binding"],
            }
            for form in _kept(self)
        ]


CollateralFormSet = forms.formset_factory(
    CollateralForm, formset=BaseCollateralFormSet, extra=2, can_delete=True, max_num=50
)


# --- Actions -------------------------------------------------------------------------------


class ApproveForm(LabelledForm):
    prefix = "approve"
    approved_on = forms.DateField(label=_("approved on"), widget=DateInput())


class SignForm(LabelledForm):
    prefix = "sign"
    akad_number = forms.CharField(label=_("akad number"), max_length=100)
    signed_on = forms.DateField(label=_("signed on"), widget=DateInput())


class DisburseForm(LabelledForm):
    prefix = "disburse"
    amount = MoneyField(label=_("amount (Rp)"))
    disbursed_on = forms.DateField(label=_("disbursed on"), widget=DateInput())
    note = forms.CharField(label=_("note"), max_length=255, required=False)


class CollectibilityForm(LabelledForm):
    prefix = "collectibility"
    collectibility = forms.TypedChoiceField(
        label=_("collectibility"), choices=AkadKredit.Collectibility.choices, coerce=int
    )
    as_of = forms.DateField(label=_("as of"), widget=DateInput())


class PayOffForm(LabelledForm):
    prefix = "payoff"
    paid_off_on = forms.DateField(label=_("paid off on"), widget=DateInput())


class ReasonForm(LabelledForm):
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class RejectForm(ReasonForm):
    prefix = "reject"


class CancelForm(ReasonForm):
    prefix = "cancel"


class LenderProfileForm(forms.ModelForm):
    """The lender-side details of the officer's organisation (its name and kind are set
    when the organisation is provisioned)."""

    class Meta:
        model = LenderProfile
        fields = ["short_name", "ojk_license", "address"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)
        self.fields["short_name"].help_text = _("As the lender is known, e.g. Bank Mandiri.")
