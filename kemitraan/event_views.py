"""Link & Match pages: events, registrations and their approval, sessions, meetings
(request, confirm, move, cancel, outcome), printable schedules and the schedule export.

Access: a role without the model permission gets 403 whatever the object; with it, an
object outside the user's scope (``visible_to``) is a 404. Every role reads events;
a procurement officer sees the approved participants, registers their organisation and
requests and follows up their own organisation's meetings; Kemenperin manages everything;
KADIN reads; lender officers read the events only. Writes go through
:mod:`kemitraan.event_services`.
"""

import io
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from ikm.models import IKM
from ikm.parsing import neutralise_formula

from . import event_services as services
from .event_forms import (
    EventForm,
    MeetingRequestForm,
    MoveForm,
    OutcomeForm,
    RegisterForm,
    RejectForm,
    SessionForm,
)
from .models import (
    BuyerProfile,
    EventParticipant,
    EventSession,
    LinkMatchEvent,
    MatchSuggestion,
    Meeting,
)
from .mou_views import add_service_errors
from .views import meeting_buyer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def event_url(event) -> str:
    return reverse("kemitraan:event-detail", args=[event.pk])


def meetings_url(event_id) -> str:
    return reverse("kemitraan:event-meetings", args=[event_id])


def _own_buyer(user):
    """The officer's buyer profile (None for staff who see everything)."""
    if user.sees_everything or not user.organisation_id:
        return None
    return BuyerProfile.objects.filter(organisation_id=user.organisation_id).first()


class ScopedMixin(PermissionRequiredMixin):
    """The permission first (403 whatever the object), then the scope (404)."""

    model = LinkMatchEvent
    related = ()

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.object = get_object_or_404(
            self.model.objects.visible_to(request.user).select_related(*self.related),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)


# --- Events --------------------------------------------------------------------------------


class EventListView(PermissionRequiredMixin, ListView):
    permission_required = "kemitraan.view_linkmatchevent"
    template_name = "kemitraan/events/list.html"
    paginate_by = 25

    def get_queryset(self):
        return LinkMatchEvent.objects.visible_to(self.request.user).select_related("organiser")


class EventFormView(PermissionRequiredMixin, View):
    template_name = "kemitraan/events/form.html"

    def get_instance(self):
        return LinkMatchEvent()

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.instance = self.get_instance()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        form = EventForm(instance=self.instance)
        return render(request, self.template_name, {"form": form, "event": self.instance})

    def post(self, request, *args, **kwargs):
        form = EventForm(request.POST, instance=self.instance)
        if not form.is_valid():
            context = {"form": form, "event": self.instance}
            return render(request, self.template_name, context, status=422)
        event = form.save(commit=False)
        event._history_user = request.user
        event.save()
        messages.success(request, _("The event has been saved."))
        return redirect(event_url(event))


class EventCreateView(EventFormView):
    permission_required = "kemitraan.add_linkmatchevent"


class EventUpdateView(EventFormView):
    permission_required = "kemitraan.change_linkmatchevent"

    def get_instance(self):
        return get_object_or_404(
            LinkMatchEvent.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )


def detail_context(request, event, **extra) -> dict:
    user = request.user
    context = {"event": event, "participants": None, "sessions": None, **extra}
    if user.has_perm("kemitraan.view_eventparticipant"):
        rows = (
            EventParticipant.objects.visible_to(user)
            .filter(event=event)
            .select_related("buyer__organisation", "ikm")
        )
        context["buyer_rows"] = [p for p in rows if p.buyer_id]
        context["ikm_rows"] = sorted((p for p in rows if p.ikm_id), key=lambda p: p.ikm.name)
        context["participants"] = rows
    if user.has_perm("kemitraan.view_eventsession"):
        context["sessions"] = EventSession.objects.visible_to(user).filter(event=event)
    own = _own_buyer(user)
    context["own_buyer"] = own
    context["own_registration"] = (
        EventParticipant.objects.filter(event=event, buyer=own).first() if own else None
    )
    context["is_staff"] = services.is_staff(user)
    if context["is_staff"] and user.has_perm("kemitraan.add_eventparticipant"):
        context.setdefault("register_form", RegisterForm(event=event, user=user))
    context.setdefault("reject_form", RejectForm())
    context["can_request"] = user.has_perm("kemitraan.add_meeting") and (
        context["is_staff"] or (own and context["own_registration"] is not None
                                and context["own_registration"].status == "approved")
    )  # fmt: skip
    return context


class EventDetailView(ScopedMixin, View):
    permission_required = "kemitraan.view_linkmatchevent"
    related = ("organiser",)

    def get(self, request, pk):
        return render(request, "kemitraan/events/detail.html", detail_context(request, self.object))


class EventRegisterView(ScopedMixin, View):
    """An officer registers their organisation; Kemenperin registers a buyer or an IKM."""

    permission_required = "kemitraan.add_eventparticipant"

    def post(self, request, pk):
        event, user = self.object, request.user
        if services.is_staff(user):
            form = RegisterForm(request.POST, event=event, user=user)
            if not form.is_valid():
                context = detail_context(request, event, register_form=form)
                return render(request, "kemitraan/events/detail.html", context, status=422)
            parties = {"buyer": form.cleaned_data["buyer"], "ikm": form.cleaned_data["ikm"]}
        else:
            own = _own_buyer(user)
            if own is None:
                messages.error(request, _("Your organisation has no buyer profile."))
                return redirect(event_url(event))
            parties = {"buyer": own}
        try:
            services.participant_register(event=event, actor=user, **parties)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The registration has been recorded."))
        return redirect(event_url(event))


class ParticipantApproveView(ScopedMixin, View):
    permission_required = "kemitraan.change_eventparticipant"
    model = EventParticipant

    def post(self, request, pk):
        try:
            services.participant_approve(participant=self.object, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The participant has been approved."))
        return redirect(event_url(self.object.event))


class ParticipantRejectView(ScopedMixin, View):
    permission_required = "kemitraan.change_eventparticipant"
    model = EventParticipant

    def post(self, request, pk):
        form = RejectForm(request.POST)
        reason = form.data.get("reason", "")
        try:
            services.participant_reject(participant=self.object, reason=reason, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The registration has been rejected."))
        return redirect(event_url(self.object.event))


# --- Sessions -------------------------------------------------------------------------------


class SessionFormMixin:
    template_name = "kemitraan/events/session_form.html"

    def render_form(self, form, status=200):
        context = {"form": form, "event": self.event, "session": self.session}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        self.prepare()
        return self.render_form(SessionForm(instance=self.session))

    def post(self, request, pk):
        self.prepare()
        form = SessionForm(request.POST, instance=self.session)
        if not form.is_valid():
            return self.render_form(form, status=422)
        try:
            services.session_save(session=form.save(commit=False), actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render_form(form, status=422)
        messages.success(request, _("The session has been saved."))
        return redirect(event_url(self.event))


class SessionCreateView(SessionFormMixin, ScopedMixin, View):
    permission_required = "kemitraan.add_eventsession"

    def prepare(self):
        self.event, self.session = self.object, EventSession(event=self.object)


class SessionUpdateView(SessionFormMixin, ScopedMixin, View):
    permission_required = "kemitraan.change_eventsession"
    model = EventSession
    related = ("event",)

    def prepare(self):
        self.session, self.event = self.object, self.object.event


# --- Meetings -------------------------------------------------------------------------------


def visible_meetings(user, event):
    return (
        Meeting.objects.visible_to(user)
        .filter(event=event)
        .select_related("buyer__organisation", "ikm", "session")
        .order_by("starts_at", "table")
    )


class EventMeetingsView(ScopedMixin, View):
    """The meetings of an event in the user's scope, with the staff's actions."""

    permission_required = "kemitraan.view_meeting"

    def get(self, request, pk):
        user = request.user
        context = {
            "event": self.object,
            "meetings": visible_meetings(user, self.object),
            "is_staff": services.is_staff(user) and user.has_perm("kemitraan.change_meeting"),
            "can_request": user.has_perm("kemitraan.add_meeting"),
            "can_record": user.has_perm("kemitraan.record_outcome_meeting"),
        }
        return render(request, "kemitraan/events/meetings.html", context)


class MeetingRequestView(ScopedMixin, View):
    permission_required = "kemitraan.add_meeting"
    template_name = "kemitraan/events/meeting_form.html"

    def form(self, data=None):
        own = None if self.request.user.sees_everything else _own_buyer(self.request.user)
        initial = {"ikm": self.request.GET.get("ikm"), "buyer": self.request.GET.get("buyer")}
        return MeetingRequestForm(data, event=self.object, own_buyer=own, initial=initial), own

    def render_form(self, form, status=200):
        context = {"form": form, "event": self.object}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render_form(self.form()[0])

    def post(self, request, pk):
        form, own = self.form(request.POST)
        if not request.user.sees_everything and own is None:
            messages.error(request, _("Your organisation has no buyer profile."))
            return redirect(event_url(self.object))
        if not form.is_valid():
            return self.render_form(form, status=422)
        data = form.cleaned_data
        try:
            services.meeting_request(
                event=self.object,
                buyer=own or data["buyer"],
                ikm=data["ikm"],
                starts_at=data["starts_at"],
                table=data["table"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render_form(form, status=422)
        messages.success(request, _("The meeting has been requested."))
        return redirect(meetings_url(self.object.pk))


def _int_param(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def events_for_pair(user, buyer, ikm):
    """The upcoming events (not ended yet) with sessions where both the buyer and the IKM
    are approved participants, soonest first; ``pair_meeting``: whether the pair already
    has an active meeting there."""
    approved = EventParticipant.objects.filter(
        event=OuterRef("pk"), status=EventParticipant.Status.APPROVED
    )
    return (
        LinkMatchEvent.objects.visible_to(user)
        .filter(end_date__gte=timezone.localdate())
        .filter(Exists(approved.filter(buyer=buyer)), Exists(approved.filter(ikm=ikm)))
        .filter(Exists(EventSession.objects.filter(event=OuterRef("pk"))))
        .annotate(
            pair_meeting=Exists(
                Meeting.objects.active().filter(event=OuterRef("pk"), buyer=buyer, ikm=ikm)
            )
        )
        .order_by("start_date", "pk")
    )


class MeetingRequestForView(PermissionRequiredMixin, View):
    """A buyer's officer requests a meeting with an IKM (``?ikm=``, from a suggestion of
    their own need with ``&saran=``): they pick one of the upcoming events where both are
    approved participants, and the first free slot is taken. Other roles: 403; an IKM they
    cannot see, or a suggestion of another buyer or for another IKM: 404."""

    permission_required = "kemitraan.add_meeting"
    template_name = "kemitraan/events/meeting_request_for.html"

    def has_permission(self):
        self.buyer = meeting_buyer(self.request.user)
        return super().has_permission() and self.buyer is not None

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.ikm = get_object_or_404(
            IKM.objects.visible_to(request.user), pk=_int_param(request.GET.get("ikm"))
        )
        self.suggestion = None
        if request.GET.get("saran"):
            self.suggestion = get_object_or_404(
                MatchSuggestion.objects.select_related("demand"),
                pk=_int_param(request.GET["saran"]),
                demand__buyer=self.buyer,
                ikm=self.ikm,
            )
        self.events = events_for_pair(request.user, self.buyer, self.ikm)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        context = {
            "ikm": self.ikm,
            "buyer": self.buyer,
            "suggestion": self.suggestion,
            "events": list(self.events),
        }
        return render(request, self.template_name, context)

    def post(self, request):
        event = get_object_or_404(self.events, pk=_int_param(request.POST.get("event")))
        try:
            services.meeting_request(
                event=event,
                buyer=self.buyer,
                ikm=self.ikm,
                suggestion=self.suggestion,
                actor=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(request.get_full_path())
        messages.success(request, _("The meeting has been requested."))
        return redirect(meetings_url(event.pk))


def ikm_meeting_request_section(request, ikm) -> str | None:
    """IKM page section (registered with ikm.detail_sections): a buyer's officer requests a
    Link & Match meeting with this IKM."""
    if meeting_buyer(request.user) is None:
        return None
    return render_to_string(
        "kemitraan/partials/ikm_meeting_request.html", {"ikm": ikm}, request=request
    )


class MeetingScopedMixin(ScopedMixin):
    model = Meeting
    related = ("event", "session", "buyer__organisation", "ikm")


class MeetingActionView(MeetingScopedMixin, View):
    permission_required = "kemitraan.change_meeting"
    service = None
    done = ""

    def post(self, request, pk):
        try:
            type(self).service(meeting=self.object, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, self.done)
        return redirect(meetings_url(self.object.event_id))


class MeetingConfirmView(MeetingActionView):
    service = services.meeting_confirm
    done = gettext_lazy("The meeting has been confirmed.")


class MeetingCancelView(MeetingActionView):
    service = services.meeting_cancel
    done = gettext_lazy("The meeting has been cancelled.")


class MeetingMoveView(MeetingScopedMixin, View):
    permission_required = "kemitraan.change_meeting"
    template_name = "kemitraan/events/meeting_move.html"

    def render_form(self, form, status=200):
        context = {"form": form, "meeting": self.object, "event": self.object.event}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render_form(MoveForm(meeting=self.object))

    def post(self, request, pk):
        form = MoveForm(request.POST, meeting=self.object)
        if not form.is_valid():
            return self.render_form(form, status=422)
        try:
            services.meeting_move(
                meeting=self.object,
                starts_at=form.cleaned_data["starts_at"],
                table=form.cleaned_data["table"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render_form(form, status=422)
        messages.success(request, _("The meeting has been moved."))
        return redirect(meetings_url(self.object.event_id))


class MeetingOutcomeView(MeetingScopedMixin, View):
    permission_required = "kemitraan.record_outcome_meeting"
    template_name = "kemitraan/events/meeting_outcome.html"

    def render_form(self, form, status=200):
        context = {"form": form, "meeting": self.object, "event": self.object.event}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render_form(OutcomeForm(instance=self.object))

    def post(self, request, pk):
        form = OutcomeForm(request.POST, instance=Meeting.objects.get(pk=self.object.pk))
        if not form.is_valid():
            return self.render_form(form, status=422)
        try:
            services.meeting_record_outcome(
                meeting=self.object,
                outcome=form.cleaned_data["outcome"],
                notes=form.cleaned_data["outcome_notes"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render_form(form, status=422)
        messages.success(request, _("The outcome has been recorded."))
        return redirect(meetings_url(self.object.event_id))


# --- Schedules -----------------------------------------------------------------------------


def schedule_rows(user, event):
    """The active meetings in the user's scope, in schedule order."""
    return list(visible_meetings(user, event).filter(status__in=["requested", "confirmed"]))


class EventScheduleView(ScopedMixin, View):
    """A print-friendly schedule: per participant (each buyer and each IKM) or per table."""

    permission_required = "kemitraan.view_meeting"

    def get(self, request, pk):
        by = "table" if request.GET.get("by") == "table" else "participant"
        rows = schedule_rows(request.user, self.object)
        groups = defaultdict(list)
        if by == "table":
            for meeting in rows:
                groups[_("Table %(number)s") % {"number": meeting.table}].append(meeting)
            ordered = sorted(groups.items(), key=lambda item: item[1][0].table)
        else:
            for meeting in rows:
                groups[str(meeting.buyer)].append(meeting)
                groups[str(meeting.ikm)].append(meeting)
            ordered = sorted(groups.items())
        context = {"event": self.object, "by": by, "groups": ordered, "printed_at": timezone.now()}
        return render(request, "kemitraan/events/schedule.html", context)


def schedule_workbook(rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Schedule")[:31]
    header = [
        _("Date"),
        _("Start"),
        _("End"),
        _("Table"),
        _("Buyer"),
        _("IKM"),
        _("NIB"),
        _("Status"),
        _("Outcome"),
    ]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for meeting in rows:
        start = timezone.localtime(meeting.starts_at)
        end = timezone.localtime(meeting.ends_at)
        sheet.append(
            [
                start.date(),
                start.strftime("%H:%M"),
                end.strftime("%H:%M"),
                meeting.table,
                neutralise_formula(str(meeting.buyer)),
                neutralise_formula(meeting.ikm.name),
                meeting.ikm.nib,
                meeting.get_status_display(),
                meeting.get_outcome_display(),
            ]
        )
    for row in sheet.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "DD-MM-YYYY"
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHI", (12, 8, 8, 7, 32, 32, 16, 14, 18), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class EventScheduleExportView(ScopedMixin, View):
    """The event's schedule (the user's scope) as an .xlsx workbook."""

    permission_required = "kemitraan.view_meeting"

    def get(self, request, pk):
        content = schedule_workbook(schedule_rows(request.user, self.object))
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="jadwal-acara-{pk}.xlsx"'
        response["Cache-Control"] = "private, no-store"
        return response
