"""MoU screens: record and edit an MoU (with its participants, support commitments and
witnesses), its page with the status history, the scanned document (streamed after a
permission check, never by URL) and the sign / activate / terminate actions.

Access: a role without the model permission gets 403 whatever the object; with it, an MoU
outside the user's scope (``MoU.objects.visible_to``) is a 404. Writes go through
:mod:`kemitraan.mou_services`.
"""

import mimetypes

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from ikm.models import IKM
from ikm.uploads import sniff_document_type

from . import mou_services
from .models import MoU
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


def mou_url(mou: MoU) -> str:
    return reverse("kemitraan:mou-detail", args=[mou.pk])


def add_service_errors(form, exc: ValidationError) -> None:
    """A service's refusal next to the form's field when it has one, else at the top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
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
            "ikm_options": ikms,
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


def detail_context(request, mou: MoU, **extra) -> dict:
    user = request.user
    can_change = user.has_perm("kemitraan.change_mou")
    participants = list(mou.participants.select_related("ikm").order_by("ikm__name"))
    history = list(
        mou.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    for record in history:
        reason = record.history_change_reason or ""
        record.reason_label = HISTORY_REASONS.get(reason, reason)
    return {
        "mou": mou,
        "participants": participants,
        "market_access": sum(p.committed_market_access for p in participants),
        "supports": list(mou.supports.all()),
        "witnesses": list(mou.witnesses.all()),
        "history": history,
        "can_edit": can_change,
        "can_sign": can_change and mou.status == MoU.Status.DRAFT,
        "can_activate": can_change and mou.status == MoU.Status.SIGNED,
        "can_terminate": can_change and mou.status in (MoU.Status.SIGNED, MoU.Status.ACTIVE),
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
        handle = self.mou.document.open("rb")
        kind = sniff_document_type(handle.read(16))
        handle.seek(0)
        content_type = kind[0] if kind else "application/octet-stream"
        extension = mimetypes.guess_extension(content_type) or ""
        response = FileResponse(
            handle,
            content_type=content_type,
            as_attachment=kind is None,
            filename=f"mou-{self.mou.pk}{extension}",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


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
