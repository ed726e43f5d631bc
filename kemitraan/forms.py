"""Forms of the buyer screens. Rules live in model validators and services; the forms turn
raw input into clean values and put each message next to its field."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ikm import parsing
from ikm.forms import REGENCY_NOT_IN_PROVINCE, MoneyField
from ikm.models import CertificationType, Kbli, ProcessCapability, Province, Regency

from .models import BuyerProfile, Demand

QUANTITY_NOT_POSITIVE = _("The quantity must be greater than zero.")
ANNUAL_VALUE_NOT_POSITIVE = _("The annual value must be greater than zero.")
COORDINATES_BOTH = _("Give both latitude and longitude, or neither.")
REGENCY_WITHOUT_PROVINCE = _("Choose the province first.")
WHY_NOT_QUERY_TOO_SHORT = _("Type at least three letters of the name, or the 13-digit NIB.")


def _regency_select(form, *, province_field="province", regency_field="regency"):
    """Any regency validates (so a mismatch gets its own message in clean()); the select
    offers only the chosen province's, and reloads through htmx when the province changes."""
    province_code = form.data.get(form.add_prefix(province_field)) or (
        getattr(form.instance, f"{province_field}_id", None) if form.instance.pk else None
    )
    chosen = form.data.get(form.add_prefix(regency_field)) or getattr(
        form.instance, f"{regency_field}_id", None
    )
    offered = Regency.objects.filter(Q(province_id=province_code or "") | Q(code=chosen or ""))
    form.fields[regency_field].queryset = Regency.objects.all()
    form.fields[regency_field].widget.choices = [("", "---------")] + [
        (r.code, str(r)) for r in offered
    ]
    form.fields[province_field].widget.attrs.update(
        {
            "hx-get": reverse("ikm:regency-options"),
            "hx-target": f"#id_{form.add_prefix(regency_field)}",
            "hx-trigger": "change",
        }
    )


def _check_regency(form, cleaned, *, province_field="province", regency_field="regency"):
    province, regency = cleaned.get(province_field), cleaned.get(regency_field)
    if regency and not province and province_field not in form.errors:
        form.add_error(province_field, REGENCY_WITHOUT_PROVINCE)
    elif province and regency and regency.province_id != province.pk:
        form.add_error(regency_field, REGENCY_NOT_IN_PROVINCE)


class DemandForm(forms.ModelForm):
    """A procurement need, in the sections a buyer fills in. The buyer is the officer's
    organisation, set by the view on the instance."""

    kbli = forms.ModelMultipleChoiceField(
        label=_("KBLI codes"),
        queryset=Kbli.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    processes = forms.ModelMultipleChoiceField(
        label=_("required processes"),
        queryset=ProcessCapability.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    required_certifications = forms.ModelMultipleChoiceField(
        label=_("required certifications"),
        queryset=CertificationType.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A supplier without a valid one is never suggested."),
    )
    preferred_certifications = forms.ModelMultipleChoiceField(
        label=_("preferred certifications"),
        queryset=CertificationType.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Suppliers holding them rank higher."),
    )
    quantity_per_month = forms.IntegerField(
        label=_("quantity per month"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    annual_value = MoneyField(
        label=_("estimated annual value (Rp)"),
        required=False,
        help_text=_("E.g. 2.400.000.000 or 2,4 miliar."),
    )
    province = forms.ModelChoiceField(
        label=_("preferred province"), queryset=Province.objects.all(), required=False
    )
    regency = forms.ModelChoiceField(
        label=_("preferred regency/city"), queryset=Regency.objects.all(), required=False
    )
    min_tkdn = forms.DecimalField(
        label=_("minimum TKDN (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Suppliers below it are never suggested."),
    )

    class Meta:
        model = Demand
        fields = [
            "title",
            "description",
            "kbli",
            "processes",
            "required_certifications",
            "preferred_certifications",
            "quantity_per_month",
            "unit",
            "annual_value",
            "province",
            "regency",
            "latitude",
            "longitude",
            "min_tkdn",
            "verified_only",
            "status",
            "valid_until",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "latitude": forms.TextInput(attrs={"inputmode": "decimal"}),
            "longitude": forms.TextInput(attrs={"inputmode": "decimal"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)  # as Django does for model fields
        self.fields["kbli"].label_from_instance = lambda k: f"{k.code} {k.label}"
        self.fields["processes"].label_from_instance = lambda p: p.label
        for name in ("required_certifications", "preferred_certifications"):
            self.fields[name].label_from_instance = lambda c: f"{c.code} — {c.name}"
        self.fields["unit"].widget.attrs.setdefault("placeholder", "pcs, kg, set…")
        self.fields["description"].help_text = _(
            "Part, material, specification. Suppliers are compared with these words."
        )
        _regency_select(self)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("The need"),
                "title",
                "description",
                Div(
                    Div("status", css_class="col-md-4"),
                    Div("valid_until", css_class="col-md-4"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("What suppliers must be able to do"),
                Div(
                    Div(Field("processes"), css_class="col-md-6 process-columns"),
                    Div(Field("kbli", wrapper_class="kbli-choices"), css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Quantity and value"),
                Div(
                    Div("quantity_per_month", css_class="col-md-4"),
                    Div("unit", css_class="col-md-4"),
                    Div("annual_value", css_class="col-md-4"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Location"),
                Div(
                    Div("province", css_class="col-md-6"),
                    Div("regency", css_class="col-md-6"),
                    css_class="row",
                ),
                Div(
                    Div("latitude", css_class="col-md-6"),
                    Div("longitude", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Certification and quality"),
                Div(
                    Div(Field("required_certifications"), css_class="col-md-6"),
                    Div(Field("preferred_certifications"), css_class="col-md-6"),
                    css_class="row",
                ),
                Div(
                    Div("min_tkdn", css_class="col-md-4"),
                    Div("verified_only", css_class="col-md-8 pt-md-4"),
                    css_class="row",
                ),
            ),
        )

    def clean_quantity_per_month(self):
        quantity = self.cleaned_data.get("quantity_per_month")
        if quantity is not None and quantity <= 0:
            raise ValidationError(QUANTITY_NOT_POSITIVE, code="not_positive")
        return quantity

    def clean_annual_value(self):
        value = self.cleaned_data.get("annual_value")
        if value is not None and value <= 0:
            raise ValidationError(ANNUAL_VALUE_NOT_POSITIVE, code="not_positive")
        return value

    def clean(self):
        cleaned = super().clean()
        _check_regency(self, cleaned)
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None):
            missing = "latitude" if latitude is None else "longitude"
            if missing not in self.errors:
                self.add_error(missing, COORDINATES_BOTH)
        return cleaned

    def codes(self) -> dict:
        """The many-to-many choices, for demand_create / demand_update."""
        return {
            name: self.cleaned_data[name]
            for name in (
                "kbli",
                "processes",
                "required_certifications",
                "preferred_certifications",
            )
        }


class DismissForm(forms.Form):
    """Why a suggested supplier does not fit (required: it will not be suggested again)."""

    reason = forms.CharField(
        label=_("Reason for dismissal"),
        max_length=1000,
        required=False,  # the service says why it is needed, with its own message
        widget=forms.TextInput,
    )


class BuyerProfileForm(forms.ModelForm):
    """The buyer-side details of the officer's organisation (its name and kind are set
    when the organisation is provisioned)."""

    province = forms.ModelChoiceField(
        label=_("province"), queryset=Province.objects.all(), required=False
    )
    regency = forms.ModelChoiceField(
        label=_("regency/city"), queryset=Regency.objects.all(), required=False
    )

    class Meta:
        model = BuyerProfile
        fields = [
            "group_name",
            "brands",
            "nib",
            "address",
            "province",
            "regency",
            "description",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)
        self.fields["nib"].help_text = _("13 digits, from OSS.")
        self.fields["nib"].max_length = 30
        self.fields["nib"].widget.attrs["maxlength"] = 30
        _regency_select(self)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Buyer"),
                Div(
                    Div("group_name", css_class="col-md-6"),
                    Div("brands", css_class="col-md-6"),
                    css_class="row",
                ),
                Div(Div("nib", css_class="col-md-6"), css_class="row"),
                "description",
            ),
            Fieldset(
                _("Location"),
                "address",
                Div(
                    Div("province", css_class="col-md-6"),
                    Div("regency", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
        )

    def clean_nib(self):
        nib = self.cleaned_data.get("nib", "")
        if not nib.strip():
            return ""
        try:
            return parsing.parse_nib(nib)
        except parsing.ParseError as exc:
            raise ValidationError(exc.message, code="nib") from exc

    def clean(self):
        cleaned = super().clean()
        _check_regency(self, cleaned)
        return cleaned
