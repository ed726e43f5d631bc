"""Forms of the MoU screens: the MoU itself, its participants (a formset), support
commitments per pillar, witnesses (a formset), and the sign / terminate actions.

Rules live in :mod:`kemitraan.mou_services`; the forms turn raw input into clean values
and put each message next to its field.
"""

import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ikm.forms import MoneyField
from ikm.models import IKM
from ikm.uploads import validate_document

from . import mou_services
from .models import BuyerProfile, LinkMatchEvent, MoU, MouSupport

IKM_NOT_FOUND = _("No IKM you may see has this NIB or name. Pick one from the list.")
IKM_AMBIGUOUS = _("Several IKM have this name: give the 13-digit NIB.")

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def ikm_label(ikm: IKM) -> str:
    return f"{ikm.nib} — {ikm.name}"


IKM_NOT_FOUND_CODE = "not_found"


def resolve_ikm(value: str, queryset):
    """The IKM of ``queryset`` a typed value designates: a 13-digit NIB (also "NIB — name",
    as the picker shows it) or an exact name. ``ValidationError`` when none or several."""
    digits = re.sub(r"[\s.\-]", "", value.split("—")[0])
    if re.fullmatch(r"[0-9]{13}", digits):
        ikm = queryset.filter(nib=digits).first()
    else:
        matches = list(queryset.filter(name__iexact=value.strip())[:2])
        if len(matches) > 1:
            raise ValidationError(IKM_AMBIGUOUS, code="ambiguous")
        ikm = matches[0] if matches else None
    if ikm is None:
        raise ValidationError(IKM_NOT_FOUND, code=IKM_NOT_FOUND_CODE)
    return ikm


class IkmField(forms.CharField):
    """An IKM picked by NIB (typed, or chosen with the search picker as "NIB — name") or by
    its exact name, among ``queryset`` (the IKM the user may see)."""

    def __init__(self, *args, queryset=None, **kwargs):
        self.queryset = queryset if queryset is not None else IKM.objects.none()
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, IKM):
            return ikm_label(value)
        return value

    def to_python(self, value):
        if isinstance(value, IKM):
            return value
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        return resolve_ikm(value, self.queryset)


class MouForm(forms.ModelForm):
    """The MoU's own fields. A procurement officer records their own organisation's MoUs
    (no buyer field: the view sets it); once signed, only the document can change."""

    class Meta:
        model = MoU
        fields = [
            "number",
            "title",
            "buyer",
            "partnership_pattern",
            "event",
            "purpose",
            "valid_from",
            "valid_until",
            "document",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "valid_from": DATE_WIDGET,
            "valid_until": DATE_WIDGET,
            "document": forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)
        if user.sees_everything:
            self.fields["buyer"].queryset = BuyerProfile.objects.select_related("organisation")
        else:
            del self.fields["buyer"]
        self.fields["event"].queryset = LinkMatchEvent.objects.visible_to(user)
        self.fields["document"].help_text = _("The signed scan: PDF, JPEG or PNG, up to 5 MB.")
        self.frozen = bool(self.instance.pk) and self.instance.status != MoU.Status.DRAFT
        if self.frozen:
            for name, field in self.fields.items():
                if name != "document":
                    field.disabled = True
        self.helper = FormHelper()
        self.helper.form_tag = False
        first_row = [Div("number", css_class="col-md-4"), Div("title", css_class="col-md-8")]
        self.helper.layout = Layout(
            Fieldset(
                _("The MoU"),
                Div(*first_row, css_class="row"),
                Div(
                    *([Div("buyer", css_class="col-md-4")] if "buyer" in self.fields else []),
                    Div("partnership_pattern", css_class="col-md-4"),
                    Div("event", css_class="col-md-4"),
                    css_class="row",
                ),
                "purpose",
                Div(
                    Div("valid_from", css_class="col-md-4"),
                    Div("valid_until", css_class="col-md-4"),
                    css_class="row",
                ),
                "document",
            ),
        )

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document and hasattr(document, "content_type"):  # a new upload
            validate_document(document)
        return document

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end <= start and "valid_until" not in self.errors:
            self.add_error("valid_until", mou_services.VALIDITY_END_NOT_AFTER_START)
        return cleaned

    def _get_validation_exclusions(self):
        # Uniqueness of the number is the service's rule (with its own message).
        return {*super()._get_validation_exclusions(), "number"}


def _kept(formset) -> list:
    """The forms that hold a record: the initial ones and filled-in extra ones, minus
    those marked for deletion."""
    initial = formset.initial_form_count()
    return [
        form
        for index, form in enumerate(formset.forms)
        if (index < initial or form.has_changed())
        and not formset._should_delete_form(form)
        and form.cleaned_data
    ]


class ParticipantForm(forms.Form):
    # Set by the search picker (static/js/kemitraan.js) when an IKM is picked from the
    # list; without JavaScript it stays empty and the typed NIB or name is resolved.
    ikm_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    ikm = IkmField(label=_("IKM (NIB or name)"))
    committed_market_access = MoneyField(
        label=_("committed market access (Rp/year)"), help_text=_("E.g. 3.000.000.000 or 3 miliar.")
    )
    committed_parts = forms.CharField(
        label=_("committed parts"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )

    def __init__(self, *args, ikm_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ikm_queryset = ikm_queryset if ikm_queryset is not None else IKM.objects.none()
        self.fields["ikm"].queryset = self.ikm_queryset
        self.fields["committed_market_access"].label = capfirst(
            self.fields["committed_market_access"].label
        )
        self.fields["committed_parts"].label = capfirst(self.fields["committed_parts"].label)

    def _clean_fields(self):
        # A picked IKM (its id) wins over the typed text, which is then only its label.
        super()._clean_fields()
        ikm_id = self.cleaned_data.get("ikm_id")
        if ikm_id is None or self.has_error("ikm_id"):
            return
        ikm = self.ikm_queryset.filter(pk=ikm_id).first()
        if "ikm" in self._errors:
            del self._errors["ikm"]
        if ikm is None:
            self.cleaned_data.pop("ikm", None)
            self.add_error("ikm", ValidationError(IKM_NOT_FOUND, code=IKM_NOT_FOUND_CODE))
        else:
            self.cleaned_data["ikm"] = ikm

    def clean_committed_market_access(self):
        amount = self.cleaned_data.get("committed_market_access")
        if amount is not None and amount <= 0:
            raise ValidationError(mou_services.PARTICIPANT_AMOUNT_NOT_POSITIVE, code="positive")
        return amount


class BaseParticipantFormSet(forms.BaseFormSet):
    def __init__(self, *args, ikm_queryset=None, **kwargs):
        self.ikm_queryset = ikm_queryset
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "ikm_queryset": self.ikm_queryset}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            ikm_queryset=self.ikm_queryset,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def kept(self):
        return _kept(self)

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.kept():
            ikm = form.cleaned_data.get("ikm")
            if ikm is None:
                continue
            if ikm.pk in seen:
                form.add_error("ikm", mou_services.PARTICIPANT_TWICE)
            seen.add(ikm.pk)
        if not self.kept():
            raise ValidationError(mou_services.MOU_NEEDS_PARTICIPANT, code="no_participant")

    def participants(self) -> list[dict]:
        return [
            {
                "ikm": form.cleaned_data["ikm"],
                "committed_market_access": form.cleaned_data["committed_market_access"],
                "committed_parts": form.cleaned_data.get("committed_parts", ""),
            }
            for form in self.kept()
        ]


# Rows are added on the page ("Add participant" clones the empty form); without
# JavaScript the extra empty rows below are offered, and more after each save.
ParticipantFormSet = forms.formset_factory(
    ParticipantForm, formset=BaseParticipantFormSet, extra=5, can_delete=True, max_num=500
)


class SupportForm(forms.Form):
    """One checkbox and a note per pillar of the closed loop."""

    def __init__(self, *args, supports=(), disabled=False, **kwargs):
        super().__init__(*args, **kwargs)
        current = {support.pillar: support.notes for support in supports}
        self.pillars = []
        for value, label in MouSupport.Pillar.choices:
            self.fields[value] = forms.BooleanField(
                label=label, required=False, initial=value in current, disabled=disabled
            )
            self.fields[f"{value}_notes"] = forms.CharField(
                label=_("What is committed"),
                required=False,
                initial=current.get(value, ""),
                disabled=disabled,
                widget=forms.TextInput,
            )
            self.pillars.append((self[value], self[f"{value}_notes"]))

    def supports(self) -> list[dict]:
        return [
            {"pillar": value, "notes": self.cleaned_data.get(f"{value}_notes", "").strip()}
            for value, _label in MouSupport.Pillar.choices
            if self.cleaned_data.get(value)
        ]


class WitnessForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200, required=False)


class BaseWitnessFormSet(forms.BaseFormSet):
    def witnesses(self) -> list[dict]:
        return [form.cleaned_data for form in _kept(self)]


WitnessFormSet = forms.formset_factory(
    WitnessForm, formset=BaseWitnessFormSet, extra=2, can_delete=True, max_num=100
)


class SignForm(forms.Form):
    signing_date = forms.DateField(label=_("Signing date"), required=False, widget=DATE_WIDGET)
    signing_place = forms.CharField(label=_("Signing place"), max_length=200, required=False)


class TerminateForm(forms.Form):
    reason = forms.CharField(
        label=_("Termination reason"),
        max_length=2000,
        required=False,  # the service says why it is needed, with its own message
        widget=forms.Textarea(attrs={"rows": 2}),
    )
