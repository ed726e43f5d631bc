"""Forms of the registry. Rules live in parsers, model validators and services; the forms
turn raw input into clean values and put each message next to its field."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import inlineformset_factory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from . import parsing
from .models import IKM, Certificate, CertificationType, Kbli, ProcessCapability, Province, Regency
from .uploads import validate_document

YEAR_IN_FUTURE = _("The year founded cannot be in the future.")
YEAR_TOO_EARLY = _("The year founded must be 1900 or later.")
REGENCY_NOT_IN_PROVINCE = _("This regency/city does not lie in the chosen province.")
NIB_TAKEN = _('This NIB is already registered: <a href="{url}">{name}</a>.')
CERTIFICATE_DATES = _("The end of validity cannot be before its start.")
CONFIRM_NOT_DUPLICATE = _(
    "Possible duplicates were found below. Check them, then tick this box to confirm that "
    "this is another business."
)


class MoneyField(forms.CharField):
    """Whole rupiah as people type it: 1.500.000.000, Rp 1,5 miliar, 250 juta, 1,5 M."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parsing.parse_money(value)
        except parsing.ParseError as exc:
            raise ValidationError(exc.message, code="money") from exc

    def prepare_value(self, value):
        if isinstance(value, int):
            return f"{value:,}".replace(",", ".")
        return value


class IkmForm(forms.ModelForm):
    """Registration and edit form, in the sections field officers fill in."""

    nib = forms.CharField(label=_("NIB"), max_length=30, help_text=_("13 digits, from OSS."))
    npwp = forms.CharField(
        label=_("NPWP"),
        max_length=30,
        required=False,
        help_text=_("15 or 16 digits, with or without punctuation; stored as 16 digits."),
    )
    contact_phone = forms.CharField(
        label=_("contact phone"),
        max_length=30,
        required=False,
        help_text=_("08... or +62...; stored as +62..."),
    )
    province = forms.ModelChoiceField(label=_("province"), queryset=Province.objects.all())
    regency = forms.ModelChoiceField(label=_("regency/city"), queryset=Regency.objects.all())
    investment_value = MoneyField(
        label=_("investment value (Rp)"),
        help_text=_("Excluding land and buildings. E.g. 750.000.000 or 1,5 miliar."),
    )
    annual_revenue = MoneyField(label=_("annual revenue (Rp)"), required=False)
    kbli = forms.ModelMultipleChoiceField(
        label=_("KBLI codes"),
        queryset=Kbli.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    processes = forms.ModelMultipleChoiceField(
        label=_("processes"),
        queryset=ProcessCapability.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    tkdn = forms.DecimalField(
        label=_("TKDN (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    confirm_not_duplicate = forms.BooleanField(
        label=_("I checked: this is another business"), required=False
    )

    class Meta:
        model = IKM
        fields = [
            "name",
            "legal_form",
            "nib",
            "npwp",
            "year_founded",
            "address",
            "province",
            "regency",
            "latitude",
            "longitude",
            "workforce",
            "investment_value",
            "annual_revenue",
            "kbli",
            "processes",
            "products",
            "materials",
            "monthly_capacity",
            "capacity_unit",
            "tkdn",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "products": forms.Textarea(attrs={"rows": 3}),
            "materials": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, show_duplicate_confirmation: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)  # as Django does for model fields
        self.fields["products"].required = True
        self.fields["kbli"].label_from_instance = lambda k: f"{k.code} {k.label}"
        self.fields["processes"].label_from_instance = lambda p: p.label
        province_code = self.data.get(self.add_prefix("province")) or (
            self.instance.province_id if self.instance.pk else None
        )
        # Any regency validates (so a mismatch gets its own message in clean()); the
        # select offers only the chosen province's.
        self.fields["regency"].queryset = Regency.objects.all()
        chosen = self.data.get(self.add_prefix("regency")) or self.instance.regency_id
        offered = Regency.objects.filter(Q(province_id=province_code or "") | Q(code=chosen or ""))
        self.fields["regency"].widget.choices = [("", "---------")] + [
            (r.code, str(r)) for r in offered
        ]
        self.fields["province"].widget.attrs.update(
            {
                "hx-get": reverse("ikm:regency-options"),
                "hx-target": "#id_regency",
                "hx-trigger": "change",
            }
        )
        size_attrs = {
            "hx-get": reverse("ikm:size-class-preview"),
            "hx-target": "#size-class-preview",
            "hx-swap": "outerHTML",
            "hx-trigger": "input changed delay:300ms",
            "hx-include": "#id_workforce, #id_investment_value, #id_annual_revenue",
        }
        for name in ("workforce", "investment_value", "annual_revenue"):
            self.fields[name].widget.attrs.update(size_attrs)
        if not show_duplicate_confirmation:
            del self.fields["confirm_not_duplicate"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Business identity"),
                "name",
                Div(
                    Div("legal_form", css_class="col-md-4"),
                    Div("nib", css_class="col-md-4"),
                    Div("npwp", css_class="col-md-4"),
                    css_class="row",
                ),
                Div(Div("year_founded", css_class="col-md-4"), css_class="row"),
            ),
            Fieldset(
                _("Location"),
                "address",
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
                _("Scale"),
                Div(
                    Div("workforce", css_class="col-md-4"),
                    Div("investment_value", css_class="col-md-4"),
                    Div("annual_revenue", css_class="col-md-4"),
                    css_class="row",
                ),
                HTML('{% include "ikm/partials/size_class.html" %}'),
            ),
            Fieldset(
                _("Capabilities"),
                Div(
                    Div(Field("kbli"), css_class="col-md-6"),
                    Div(Field("processes"), css_class="col-md-6 process-columns"),
                    css_class="row",
                ),
                "products",
                "materials",
                Div(
                    Div("monthly_capacity", css_class="col-md-4"),
                    Div("capacity_unit", css_class="col-md-4"),
                    Div("tkdn", css_class="col-md-4"),
                    css_class="row",
                ),
            ),
            HTML('{% include "ikm/partials/certificate_formset.html" %}'),
            Fieldset(
                _("Contact"),
                HTML(
                    '<p class="small text-body-secondary">{% load i18n %}{% translate '
                    '"Personal data: shown only to Kemenperin, KADIN and buyers who shortlisted '
                    'this IKM." %}</p>'
                ),
                Div(
                    Div("contact_name", css_class="col-md-4"),
                    Div("contact_phone", css_class="col-md-4"),
                    Div("contact_email", css_class="col-md-4"),
                    css_class="row",
                ),
            ),
        )

    def clean_nib(self):
        try:
            nib = parsing.parse_nib(self.cleaned_data["nib"])
        except parsing.ParseError as exc:
            raise ValidationError(exc.message, code="nib") from exc
        existing = IKM.objects.filter(nib=nib).exclude(pk=self.instance.pk).first()
        if existing is not None:
            raise ValidationError(
                format_html(
                    str(NIB_TAKEN),
                    url=reverse("ikm:detail", args=[existing.pk]),
                    name=existing.name,
                ),
                code="nib_taken",
            )
        return nib

    def clean_npwp(self):
        try:
            return parsing.parse_npwp(self.cleaned_data["npwp"])
        except parsing.ParseError as exc:
            raise ValidationError(exc.message, code="npwp") from exc

    def clean_contact_phone(self):
        try:
            return parsing.parse_phone(self.cleaned_data["contact_phone"])
        except parsing.ParseError as exc:
            raise ValidationError(exc.message, code="phone") from exc

    def clean_year_founded(self):
        year = self.cleaned_data.get("year_founded")
        if year is not None:
            if year > timezone.localdate().year:
                raise ValidationError(YEAR_IN_FUTURE, code="future")
            if year < 1900:
                raise ValidationError(YEAR_TOO_EARLY, code="too_early")
        return year

    def clean(self):
        cleaned = super().clean()
        province, regency = cleaned.get("province"), cleaned.get("regency")
        if province and regency and regency.province_id != province.pk:
            self.add_error("regency", REGENCY_NOT_IN_PROVINCE)
        return cleaned


class CertificateForm(forms.ModelForm):
    class Meta:
        model = Certificate
        fields = ["certification_type", "number", "issuer", "valid_from", "valid_until", "document"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "document": forms.ClearableFileInput(
                attrs={"accept": "application/pdf,image/jpeg,image/png"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certification_type"].queryset = CertificationType.objects.filter(
            is_active=True
        )

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document and hasattr(document, "content_type"):  # a new upload
            validate_document(document)
        return document

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", CERTIFICATE_DATES)
        return cleaned


CertificateFormSet = inlineformset_factory(
    IKM, Certificate, form=CertificateForm, extra=1, can_delete=True
)
