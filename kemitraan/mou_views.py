"""MoU screens: record and edit an MoU (with its participants, support commitments and
witnesses), its page with the status history, the scanned document (streamed after a
permission check, never by URL) and the sign / activate / terminate actions.

Access: a role without the model permission gets 403 whatever the object; with it, an MoU
outside the user's scope (``MoU.objects.visible_to``) is a 404. Writes go through
:mod:`kemitraan.mou_services`.
"""

import re

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from ikm.models import IKM
from ikm.uploads import document_response

from . import mou_sections, mou_services, realisation
from .models import Demand, Meeting, MoU
from .mou_forms import (
    MouForm,
    ParticipantFormSet,
    SignForm,
    SupportForm,
    TerminateForm,
    WitnessFormSet,
)
from .views import own_buyer_profile

# The change reasons the services record, as the history shows them.
HISTORY_REASONS = {
    "recorded": gettext_lazy("recorded"),
    "edited": gettext_lazy("edited"),
    "signed": gettext_lazy("signed"),
    "activated": gettext_lazy("put into effect"),
    "terminated": gettext_lazy("terminated"),
    "validity ended": gettext_lazy("validity ended"),
}

FORM_TEMPLATE = "kemitraan/mou/form.html"
DETAIL_TEMPLATE = "kemitraan/mou/detail.html"
IKM_SEARCH_TEMPLATE = "kemitraan/mou/ikm_search.html"

IKM_SEARCH_RESULTS = 10
IKM_SEARCH_MIN_LETTERS = 3
IKM_SEARCH_TOO_SHORT = gettext_lazy("Type at least 3 letters of the name, or the 13-digit NIB.")


def mou_url(mou: MoU) -> str:
    return reverse("kemitraan:mou-detail", args=[mou.pk])


def add_service_errors(form, exc: ValidationError, *, aliases: dict | None = None) -> None:
    """A service's refusal next to the form's field when it has one, else at the top.
    ``aliases``: the service's field names that the form spells otherwise."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        field = (aliases or {}).get(field, field)
        form.add_error(field if field in form.fields else None, errors)


class MouScopeMixin:
    """The permission first (403 whatever the object), then the scope (404)."""

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.mou = get_object_or_404(
            MoU.objects.visible_to(request.user).select_related("buyer__organisation", "event"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)


class MouFormMixin:
    """Shared by create and edit: the MoU form, the participant and witness formsets,
    the supports per pillar, and the service call."""

    instance: MoU

    def ikm_queryset(self):
        visible = IKM.objects.visible_to(self.request.user)
        if self.instance.pk:  # an IKM already in the MoU stays choosable
            visible = IKM.objects.filter(
                Q(pk__in=visible.values("pk"))
                | Q(pk__in=self.instance.participants.values("ikm_id"))
            )
        return visible.order_by("name")

    def build(self, data=None, files=None) -> dict:
        mou, user = self.instance, self.request.user
        ikms = self.ikm_queryset()
        participants = supports = witnesses = []
        if mou.pk:
            participants = [
                {"ikm": p.ikm, "committed_market_access": p.committed_market_access,
                 "committed_parts": p.committed_parts}
                for p in mou.participants.select_related("ikm").order_by("ikm__name")
            ]  # fmt: skip
            supports = list(mou.supports.all())
            witnesses = list(mou.witnesses.values("name", "position", "organisation_name"))
        form = MouForm(data, files, instance=mou, user=user)
        frozen = form.frozen
        return {
            "form": form,
            "frozen": frozen,
            "participant_formset": None
            if frozen
            else ParticipantFormSet(
                data, prefix="participants", initial=participants, ikm_queryset=ikms
            ),
            "support_form": SupportForm(
                None if frozen else data, prefix="support", supports=supports, disabled=frozen
            ),
            "witness_formset": None
            if frozen
            else WitnessFormSet(data, prefix="witnesses", initial=witnesses),
            "ikm_search_url": ikm_search_url(mou),
            "mou": mou if mou.pk else None,
        }

    def render_form(self, context, status=200):
        return render(self.request, FORM_TEMPLATE, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_form(self.build())

    def post(self, request, *args, **kwargs):
        context = self.build(request.POST, request.FILES)
        parts = [
            context["form"],
            context["participant_formset"],
            None if context["frozen"] else context["support_form"],  # shown, not posted
            context["witness_formset"],
        ]
        valid = all([part.is_valid() for part in parts if part is not None])
        if not valid:
            return self.render_form(context, status=422)
        try:
            mou = self.save(context)
        except ValidationError as exc:
            add_service_errors(context["form"], exc)
            return self.render_form(context, status=422)
        messages.success(request, _("The MoU has been saved."))
        return redirect(mou_url(mou))


class MouCreateView(PermissionRequiredMixin, MouFormMixin, View):
    """Record an MoU: Kemenperin for any buyer, a procurement officer for their own
    organisation's."""

    permission_required = "kemitraan.add_mou"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        if request.user.sees_everything:
            self.instance = MoU()
        else:
            self.instance = MoU(buyer=own_buyer_profile(request.user))
        return super().dispatch(request, *args, **kwargs)

    def save(self, context):
        return mou_services.mou_create(
            mou=context["form"].save(commit=False),
            participants=context["participant_formset"].participants(),
            supports=context["support_form"].supports(),
            witnesses=context["witness_formset"].witnesses(),
            actor=self.request.user,
        )


class MouUpdateView(PermissionRequiredMixin, MouScopeMixin, MouFormMixin, View):
    """Edit a draft MoU; once signed, only its scanned document can be attached."""

    permission_required = "kemitraan.change_mou"

    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    @property
    def instance(self):
        return self.mou

    def save(self, context):
        if context["frozen"]:
            return mou_services.mou_update(
                mou=context["form"].save(commit=False), actor=self.request.user
            )
        return mou_services.mou_update(
            mou=context["form"].save(commit=False),
            participants=context["participant_formset"].participants(),
            supports=context["support_form"].supports(),
            witnesses=context["witness_formset"].witnesses(),
            actor=self.request.user,
        )


def ikm_search_url(mou: MoU) -> str:
    url = reverse("kemitraan:mou-ikm-search")
    return f"{url}?mou={mou.pk}" if mou.pk else url


class MouIkmSearchView(View):
    """The MoU form's IKM picker (htmx): up to 10 IKM the user may see whose name holds the
    typed text (3 letters at least) or whose NIB it is. Only the id, NIB, name and regency
    are shown: never contact data.

    Access as for recording an MoU: without ``add_mou`` or ``change_mou`` 403; ``mou=``
    (editing: its participants stay choosable) must be an MoU in the user's scope, else
    404."""

    def get(self, request):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.has_perm("kemitraan.add_mou") or user.has_perm("kemitraan.change_mou")):
            raise PermissionDenied
        visible = IKM.objects.visible_to(user)
        if request.GET.get("mou"):
            try:
                mou_pk = int(request.GET["mou"])
            except ValueError as exc:
                raise Http404 from exc
            if not user.has_perm("kemitraan.change_mou"):
                raise PermissionDenied
            mou = get_object_or_404(MoU.objects.visible_to(user), pk=mou_pk)
            visible = IKM.objects.filter(
                Q(pk__in=visible.values("pk")) | Q(pk__in=mou.participants.values("ikm_id"))
            )
        query = (request.GET.get("q") or "").strip()[:200]
        context = {"query": query, "results": None, "error": None}
        digits = re.sub(r"[\s.\-]", "", query.split("—")[0])
        if re.fullmatch(r"[0-9]{13}", digits):
            candidates = visible.filter(nib=digits)
        elif len(re.sub(r"\W", "", query)) >= IKM_SEARCH_MIN_LETTERS:
            candidates = visible.filter(name__icontains=query)
        else:
            candidates = None
            context["error"] = IKM_SEARCH_TOO_SHORT if query else None
        if candidates is not None:
            found = list(
                candidates.order_by("name", "pk").values("pk", "nib", "name", "regency__name")[
                    : IKM_SEARCH_RESULTS + 1
                ]
            )
            for row in found:
                row["label"] = f"{row['nib']} — {row['name']}"
            context["results"] = found[:IKM_SEARCH_RESULTS]
            context["more"] = len(found) > IKM_SEARCH_RESULTS
        response = render(request, IKM_SEARCH_TEMPLATE, context)
        response["Cache-Control"] = "private, no-store"
        return response


def _event_url(event_id: int) -> str | None:
    """The event's page, once the events screens provide one."""
    try:
        return reverse("kemitraan:event-detail", args=[event_id])
    except NoReverseMatch:
        return None


def participant_rows(request, mou: MoU) -> list[dict]:
    """The participants with, for a viewer of the realisation ledger, each one's summary
    (ordered, paid, realisation %, overdue) and, where recorded, the meeting and the match
    suggestion it came from: the meeting when the viewer may see it, the suggestion's need
    as a link when the viewer may see the need (else its title as plain text). A fixed
    number of queries whatever the number of participants."""
    user = request.user
    participants = list(
        mou.participants.select_related("ikm", "meeting__event", "suggestion__demand").order_by(
            "ikm__name", "pk"
        )
    )
    summaries = {}
    if user.has_perm("kemitraan.view_purchaseorder") and mou.status != MoU.Status.DRAFT:
        ledger = realisation.mou_ledger(mou)
        summaries = {row["participant"].pk: row["summary"] for row in ledger["rows"]}
    meeting_ids = {p.meeting_id for p in participants if p.meeting_id}
    visible_meetings = set()
    if meeting_ids:
        visible_meetings = set(
            Meeting.objects.visible_to(user).filter(pk__in=meeting_ids).values_list("pk", flat=True)
        )
    demand_ids = {p.suggestion.demand_id for p in participants if p.suggestion_id}
    visible_demands = set()
    if demand_ids and user.has_perm("kemitraan.view_demand"):
        visible_demands = set(
            Demand.objects.visible_to(user).filter(pk__in=demand_ids).values_list("pk", flat=True)
        )
    rows = []
    for participant in participants:
        meeting = participant.meeting if participant.meeting_id in visible_meetings else None
        suggestion = participant.suggestion
        rows.append(
            {
                "participant": participant,
                "summary": summaries.get(participant.pk),
                "meeting": meeting,
                "meeting_url": _event_url(meeting.event_id) if meeting else None,
                "suggestion": suggestion,
                "demand_visible": bool(suggestion and suggestion.demand_id in visible_demands),
            }
        )
    return rows


def detail_context(request, mou: MoU, **extra) -> dict:
    user = request.user
    can_change = user.has_perm("kemitraan.change_mou")
    rows = participant_rows(request, mou)
    participants = [row["participant"] for row in rows]
    history = list(
        mou.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    for record in history:
        reason = record.history_change_reason or ""
        record.reason_label = HISTORY_REASONS.get(reason, reason)
    return {
        "mou": mou,
        "participants": participants,
        "participant_rows": rows,
        "shows_realisation": any(row["summary"] is not None for row in rows),
        "shows_origin": any(row["meeting"] or row["suggestion"] for row in rows),
        "market_access": sum(p.committed_market_access for p in participants),
        "supports": list(mou.supports.all()),
        "witnesses": list(mou.witnesses.all()),
        "history": history,
        "can_edit": can_change,
        "can_sign": can_change and mou.status == MoU.Status.DRAFT,
        "can_activate": can_change and mou.status == MoU.Status.SIGNED,
        "can_terminate": can_change and mou.status in MoU.IN_FORCE_STATUSES,
        "extra_sections": mou_sections.sections_for(request, mou),
        "sign_form": extra.pop("sign_form", None) or SignForm(),
        "terminate_form": extra.pop("terminate_form", None) or TerminateForm(),
        **extra,
    }


class MouDetailView(PermissionRequiredMixin, MouScopeMixin, View):
    permission_required = "kemitraan.view_mou"

    def get(self, request, pk):
        return render(request, DETAIL_TEMPLATE, detail_context(request, self.mou))


class MouDocumentView(PermissionRequiredMixin, MouScopeMixin, View):
    """Stream the MoU's scanned document to a user who may see the MoU; never by URL."""

    permission_required = "kemitraan.view_mou"

    def get(self, request, pk):
        if not self.mou.document:
            raise Http404
        return document_response(self.mou.document, f"mou-{self.mou.pk}")


class MouActionView(PermissionRequiredMixin, MouScopeMixin, View):
    """A transition (POST). Success: back to the MoU's page with a message; a refusal is
    shown on the page next to the action's form (422)."""

    permission_required = "kemitraan.change_mou"
    form_class = None
    form_name = ""

    def act(self, form):
        raise NotImplementedError

    def post(self, request, pk):
        form = self.form_class(request.POST) if self.form_class else None
        if form is not None:
            form.is_valid()
        try:
            self.act(form)
        except ValidationError as exc:
            if form is None:
                messages.error(request, " ".join(exc.messages))
                return render(
                    request, DETAIL_TEMPLATE, detail_context(request, self.mou), status=422
                )
            add_service_errors(form, exc)
            context = detail_context(request, self.mou, **{self.form_name: form})
            return render(request, DETAIL_TEMPLATE, context, status=422)
        messages.success(request, self.success_message)
        return redirect(mou_url(self.mou))


class MouSignView(MouActionView):
    form_class = SignForm
    form_name = "sign_form"

    @property
    def success_message(self):
        return _("The MoU is recorded as signed.")

    def act(self, form):
        mou_services.mou_sign(
            mou=self.mou,
            signing_date=form.cleaned_data.get("signing_date"),
            signing_place=form.cleaned_data.get("signing_place", ""),
            actor=self.request.user,
        )


class MouActivateView(MouActionView):
    @property
    def success_message(self):
        return _("The MoU is now in effect.")

    def act(self, form):
        mou_services.mou_activate(mou=self.mou, actor=self.request.user)


class MouTerminateView(MouActionView):
    form_class = TerminateForm
    form_name = "terminate_form"

    @property
    def success_message(self):
        return _("The MoU has been terminated.")

    def act(self, form):
        mou_services.mou_terminate(
            mou=self.mou, reason=form.cleaned_data.get("reason", ""), actor=self.request.user
        )
