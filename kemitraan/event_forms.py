"""Forms of the Link & Match pages. Rules live in :mod:`kemitraan.event_services`."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ikm.models import IKM

from .models import BuyerProfile, EventParticipant, EventSession, LinkMatchEvent, Meeting

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
FIRST_FREE = ""
PICK_ONE = _("Choose either a buyer or an IKM.")


class EventForm(forms.ModelForm):
    class Meta:
        model = LinkMatchEvent
        fields = [
            "name",
            "kind",
            "sector",
            "start_date",
            "end_date",
            "venue",
            "city",
            "organiser",
            "description",
        ]
        widgets = {"start_date": DATE, "end_date": DATE, "description": forms.Textarea({"rows": 3})}


class RegisterForm(forms.Form):
    """Kemenperin registers a buyer or an IKM (approved at once)."""

    buyer = forms.ModelChoiceField(
        label=_("Buyer"), queryset=BuyerProfile.objects.none(), required=False
    )
    ikm = forms.ModelChoiceField(label=_("IKM"), queryset=IKM.objects.none(), required=False)

    def __init__(self, *args, event, user, **kwargs):
        super().__init__(*args, **kwargs)
        taken = EventParticipant.objects.filter(event=event)
        self.fields["buyer"].queryset = (
            BuyerProfile.objects.visible_to(user)
            .exclude(pk__in=taken.exclude(buyer=None).values("buyer_id"))
            .select_related("organisation")
        )
        self.fields["ikm"].queryset = (
            IKM.objects.visible_to(user)
            .exclude(pk__in=taken.exclude(ikm=None).values("ikm_id"))
            .order_by("name")
        )

    def clean(self):
        data = super().clean()
        if bool(data.get("buyer")) == bool(data.get("ikm")):
            raise forms.ValidationError(PICK_ONE)
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for rejection"), max_length=2000, widget=forms.Textarea({"rows": 2})
    )


class SessionForm(forms.ModelForm):
    class Meta:
        model = EventSession
        fields = ["date", "start_time", "end_time", "slot_minutes", "tables"]
        widgets = {"date": DATE, "start_time": TIME, "end_time": TIME}


def slot_choices(event, *, blank_label=None) -> list[tuple[str, str]]:
    """The slots of the event's sessions that have not started yet, as form choices."""
    now = timezone.now()
    choices = [(FIRST_FREE, blank_label)] if blank_label else []
    for session in event.sessions.order_by("date", "start_time"):
        for start in session.slot_starts():
            if start > now:
                local = timezone.localtime(start)
                label = f"{date_format(local, 'D, j M Y')} {local:%H:%M}"
                choices.append((start.isoformat(), label))
    return choices


class SlotField(forms.ChoiceField):
    def to_python(self, value):
        value = super().to_python(value)
        return datetime.datetime.fromisoformat(value) if value else None

    def valid_value(self, value):
        return super().valid_value(value.isoformat() if value else FIRST_FREE)


class MeetingRequestForm(forms.Form):
    """Request a meeting: the buyer (Kemenperin picks one; an officer's is their own), the
    IKM, and optionally the slot and table (else the first free)."""

    buyer = forms.ModelChoiceField(label=_("Buyer"), queryset=BuyerProfile.objects.none())
    ikm = forms.ModelChoiceField(label=_("IKM"), queryset=IKM.objects.none())
    starts_at = SlotField(label=_("slot"), required=False)
    table = forms.IntegerField(
        label=_("table"),
        required=False,
        min_value=1,
        max_value=200,
        help_text=_("Leave empty for the first free table."),
    )

    def __init__(self, *args, event, own_buyer=None, **kwargs):
        super().__init__(*args, **kwargs)
        approved = EventParticipant.objects.approved().filter(event=event)
        if own_buyer is not None:
            del self.fields["buyer"]
        else:
            self.fields["buyer"].queryset = BuyerProfile.objects.filter(
                pk__in=approved.exclude(buyer=None).values("buyer_id")
            ).select_related("organisation")
        self.fields["ikm"].queryset = IKM.objects.filter(
            pk__in=approved.exclude(ikm=None).values("ikm_id")
        ).order_by("name")
        self.fields["starts_at"].choices = slot_choices(event, blank_label=_("First free slot"))


class MoveForm(forms.Form):
    starts_at = SlotField(label=_("slot"))
    table = forms.IntegerField(label=_("table"), min_value=1, max_value=200)

    def __init__(self, *args, meeting, **kwargs):
        kwargs.setdefault(
            "initial", {"starts_at": meeting.starts_at.isoformat(), "table": meeting.table}
        )
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].choices = slot_choices(meeting.event)


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["outcome", "outcome_notes"]
        widgets = {"outcome_notes": forms.Textarea({"rows": 3})}
