"""Lender screens: the akad list, recording and editing an application, the akad's page with
its tranches, collateral, coverage and history and the actions of its life cycle, the
closed-loop view of candidates, and the lenders.

Access: a role without the model permission gets 403 whatever the object; with it, an akad
outside the user's scope (``AkadKredit.objects.visible_to``) is a 404. Writes go through
:mod:`pembiayaan.services`.
"""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from ikm.models import IKM, Province
from kemitraan import mou_views
from kemitraan.models import MoU
from kemitraan.views import FilteredListMixin

from . import selectors, services
from .filters import AkadFilterSet
from .forms import (
    AkadForm,
    ApproveForm,
    CancelForm,
    CollateralFormSet,
    CollectibilityForm,
    DisburseForm,
    LenderProfileForm,
    PayOffForm,
    RejectForm,
    SignForm,
)
from .models import AkadKredit, LenderProfile

HISTORY_REASONS = {
    "applied": gettext_lazy("application recorded"),
    "edited": gettext_lazy("edited"),
    "approved": gettext_lazy("approved"),
    "signed": gettext_lazy("akad signed"),
    "disbursed": gettext_lazy("tranche disbursed"),
    "collectibility reported": gettext_lazy("collectibility reported"),
    "paid off": gettext_lazy("paid off"),
    "rejected": gettext_lazy("rejected"),
    "cancelled": gettext_lazy("cancelled"),
}

FORM_TEMPLATE = "pembiayaan/akad_form.html"
DETAIL_TEMPLATE = "pembiayaan/akad_detail.html"
NO_OWN_LENDER = gettext_lazy("Your account is not attached to a lender: ask an administrator.")


def akad_url(akad: AkadKredit) -> str:
    return reverse("pembiayaan:akad-detail", args=[akad.pk])


def own_lender(user) -> LenderProfile | None:
    """The lender a lender officer acts for (None for other users)."""
    if not user.organisation_id:
        return None
    try:
        return user.organisation.lender_profile
    except ObjectDoesNotExist:
        return None


# The services' field names that the forms spell otherwise.
SERVICE_FIELDS = {"purchase_orders": "purchase_order_numbers"}


def add_service_errors(form, exc: ValidationError) -> None:
    mou_views.add_service_errors(form, exc, aliases=SERVICE_FIELDS)


class AkadScopeMixin:
    """The permission first (403 whatever the object), then the scope (404)."""

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.akad = get_object_or_404(
            AkadKredit.objects.visible_to(request.user).select_related(
                "lender__organisation", "borrower", "scheme", "mou__buyer__organisation"
            ),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)


# --- List ------------------------------------------------------------------------------------


class AkadListView(PermissionRequiredMixin, FilteredListMixin, ListView):
    """Akad kredit in the user's scope (a lender officer: their lender's only), filtered,
    with the totals of what the filters select."""

    permission_required = "pembiayaan.view_akadkredit"
    template_name = "pembiayaan/akad_list.html"
    paginate_by = 25
    filterset_class = AkadFilterSet

    def get_queryset(self):
        base = AkadKredit.objects.visible_to(self.request.user).select_related(
            "lender__organisation", "borrower", "scheme", "mou"
        )
        self.filtered = self.filter_records(base)
        return self.filtered.with_disbursed().order_by("-applied_on", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["object_list"] = selectors.with_coverage(context["object_list"])
        context["totals"] = selectors.totals(self.filtered)
        context["can_apply"] = user.has_perm("pembiayaan.add_akadkredit") and bool(own_lender(user))
        return context


# --- Record and edit -------------------------------------------------------------------------


class AkadFormMixin:
    instance: AkadKredit

    def ikm_queryset(self):
        visible = IKM.objects.visible_to(self.request.user)
        if self.instance.pk:  # the borrower stays choosable
            visible = IKM.objects.filter(
                Q(pk__in=visible.values("pk")) | Q(pk=self.instance.borrower_id)
            )
        return visible

    def build(self, data=None, initial=None) -> dict:
        akad = self.instance
        collaterals = []
        if akad.pk:
            collaterals = list(akad.collaterals.values("kind", "description", "value", "binding"))
        return {
            "form": AkadForm(
                data,
                instance=akad,
                initial=initial,
                user=self.request.user,
                ikm_queryset=self.ikm_queryset(),
            ),
            "collateral_formset": CollateralFormSet(
                data, prefix="collaterals", initial=collaterals
            ),
            "akad": akad if akad.pk else None,
        }

    def render_form(self, context, status=200):
        return render(self.request, FORM_TEMPLATE, context, status=status)

    def post(self, request, *args, **kwargs):
        context = self.build(request.POST)
        form, formset = context["form"], context["collateral_formset"]
        if not all([form.is_valid(), formset.is_valid()]):
            return self.render_form(context, status=422)
        try:
            akad = self.save(form, formset)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render_form(context, status=422)
        messages.success(request, _("The credit application has been saved."))
        return redirect(akad_url(akad))


class AkadCreateView(PermissionRequiredMixin, AkadFormMixin, View):
    """Record a credit application for the officer's own lender. ``?ikm=`` and ``?mou=``
    (ids, from the candidates' list) fill in the borrower and the MoU."""

    permission_required = "pembiayaan.add_akadkredit"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        lender = own_lender(request.user)
        if lender is None:
            raise PermissionDenied(NO_OWN_LENDER)
        self.instance = AkadKredit(lender=lender)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        initial = {}
        ikm_id, mou_id = request.GET.get("ikm", ""), request.GET.get("mou", "")
        if ikm_id.isdigit():
            ikm = self.ikm_queryset().filter(pk=ikm_id).first()
            if ikm is not None:
                initial["borrower"] = ikm
        if mou_id.isdigit():
            initial["mou"] = mou_id
        return self.render_form(self.build(initial=initial))

    def save(self, form, formset):
        return services.akad_apply(
            akad=form.save(commit=False),
            collaterals=formset.collaterals(),
            purchase_orders=form.cleaned_data["purchase_orders"],
            actor=self.request.user,
        )


class AkadUpdateView(PermissionRequiredMixin, AkadScopeMixin, AkadFormMixin, View):
    """Edit an application's terms until it is signed."""

    permission_required = "pembiayaan.change_akadkredit"

    @property
    def instance(self):
        return self.akad

    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def check_editable(self):
        if not services.can_record(self.request.user, self.akad):
            raise PermissionDenied
        if self.akad.status not in AkadKredit.EDITABLE_STATUSES:
            messages.error(self.request, services.NOT_EDITABLE)
            return redirect(akad_url(self.akad))
        return None

    def get(self, request, pk):
        return self.check_editable() or self.render_form(self.build())

    def post(self, request, *args, **kwargs):
        return self.check_editable() or super().post(request, *args, **kwargs)

    def save(self, form, formset):
        return services.akad_update(
            akad=form.save(commit=False),
            collaterals=formset.collaterals(),
            purchase_orders=form.cleaned_data["purchase_orders"],
            actor=self.request.user,
        )


# --- The akad's page and its actions ---------------------------------------------------------

ACTIONS = {
    # name: (form class, statuses in which it is offered)
    "approve": (ApproveForm, ("pipeline",)),
    "sign": (SignForm, ("approved",)),
    "disburse": (DisburseForm, AkadKredit.DISBURSABLE_STATUSES),
    "collectibility": (CollectibilityForm, ("disbursed", "repaying")),
    "pay_off": (PayOffForm, ("disbursed", "repaying")),
    "reject": (RejectForm, AkadKredit.PIPELINE_STATUSES),
    "cancel": (CancelForm, ("pipeline", "approved", "signed")),
}


def detail_context(request, akad: AkadKredit, *, bound: dict | None = None) -> dict:
    user = request.user
    bound = bound or {}
    tranches = list(akad.disbursements.order_by("disbursed_on", "pk"))
    running = 0
    for tranche in tranches:
        running += tranche.amount
        tranche.running_total = running
    [akad] = selectors.with_coverage([akad])
    collaterals = list(akad.collaterals.all())
    history = list(
        akad.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    for record in history:
        reason = record.history_change_reason or ""
        record.reason_label = HISTORY_REASONS.get(reason, reason)
    free_up_to = akad.scheme.collateral_free_up_to
    can_act = user.has_perm("pembiayaan.change_akadkredit") and services.can_record(user, akad)
    forms = {}
    if can_act:
        for name, (form_class, statuses) in ACTIONS.items():
            if name in bound:  # a refused action keeps its form and says why
                forms[name] = bound[name]
                continue
            if akad.status not in statuses:
                continue
            if name == "cancel" and akad.status == "signed" and tranches:
                continue
            if name == "disburse" and running >= akad.plafon:
                continue  # the whole plafon is out
            initial = {"collectibility": akad.collectibility} if name == "collectibility" else {}
            forms[name] = form_class(initial=initial)
    mou_visible = bool(akad.mou_id) and MoU.objects.visible_to(user).filter(pk=akad.mou_id).exists()
    return {
        "akad": akad,
        "collaterals": collaterals,
        "collateral_total": sum(c.value for c in collaterals),
        "purchase_orders": list(akad.purchase_orders.order_by("order_date", "number")),
        "tranches": tranches,
        "disbursed": running,
        "remaining": akad.plafon - running,
        "mou_visible": mou_visible,
        "history": history,
        "can_edit": can_act and akad.status in AkadKredit.EDITABLE_STATUSES,
        "action_forms": forms,
        "kur_collateral_free": free_up_to if free_up_to and akad.plafon <= free_up_to else None,
    }


class AkadDetailView(PermissionRequiredMixin, AkadScopeMixin, View):
    permission_required = "pembiayaan.view_akadkredit"

    def get(self, request, pk):
        return render(request, DETAIL_TEMPLATE, detail_context(request, self.akad))


class AkadActionView(PermissionRequiredMixin, AkadScopeMixin, View):
    """A transition (POST). Success: back to the akad's page with a message; a refusal is
    shown on the page next to the action's form (422)."""

    permission_required = "pembiayaan.change_akadkredit"
    action = ""
    success_message = ""

    def act(self, data: dict):
        raise NotImplementedError

    def post(self, request, pk):
        if not services.can_record(request.user, self.akad):
            raise PermissionDenied
        form = ACTIONS[self.action][0](request.POST)
        if form.is_valid():
            try:
                self.act(form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, self.success_message)
                return redirect(akad_url(self.akad))
        self.akad.refresh_from_db()
        context = detail_context(request, self.akad, bound={self.action: form})
        context["failed_action"] = self.action
        return render(request, DETAIL_TEMPLATE, context, status=422)


class AkadApproveView(AkadActionView):
    action = "approve"
    success_message = gettext_lazy("The application is approved.")

    def act(self, data):
        services.akad_approve(
            akad=self.akad, approved_on=data["approved_on"], actor=self.request.user
        )


class AkadSignView(AkadActionView):
    action = "sign"
    success_message = gettext_lazy("The akad is recorded as signed.")

    def act(self, data):
        services.akad_sign(
            akad=self.akad,
            akad_number=data["akad_number"],
            signed_on=data["signed_on"],
            actor=self.request.user,
        )


class AkadDisburseView(AkadActionView):
    action = "disburse"
    success_message = gettext_lazy("The tranche is recorded.")

    def act(self, data):
        services.akad_disburse(
            akad=self.akad,
            amount=data["amount"],
            disbursed_on=data["disbursed_on"],
            note=data.get("note", ""),
            actor=self.request.user,
        )


class AkadCollectibilityView(AkadActionView):
    action = "collectibility"
    success_message = gettext_lazy("The collectibility is recorded.")

    def act(self, data):
        services.akad_report_collectibility(
            akad=self.akad,
            collectibility=data["collectibility"],
            as_of=data["as_of"],
            actor=self.request.user,
        )


class AkadPayOffView(AkadActionView):
    action = "pay_off"
    success_message = gettext_lazy("The akad is recorded as paid off.")

    def act(self, data):
        services.akad_pay_off(
            akad=self.akad, paid_off_on=data["paid_off_on"], actor=self.request.user
        )


class AkadRejectView(AkadActionView):
    action = "reject"
    success_message = gettext_lazy("The application is rejected.")

    def act(self, data):
        services.akad_reject(akad=self.akad, reason=data["reason"], actor=self.request.user)


class AkadCancelView(AkadActionView):
    action = "cancel"
    success_message = gettext_lazy("The akad is cancelled.")

    def act(self, data):
        services.akad_cancel(akad=self.akad, reason=data["reason"], actor=self.request.user)


# --- The closed loop: candidates -------------------------------------------------------------


class CandidateListView(PermissionRequiredMixin, View):
    """IKM with a signed or active MoU and no credit yet against it: each with the market the
    buyer committed, the realisation so far and the buyer's payment record."""

    permission_required = "pembiayaan.view_akadkredit"
    paginate_by = 25

    def get(self, request):
        user = request.user
        participants = selectors.candidate_participants(user)
        province = request.GET.get("province", "")
        if province:
            participants = participants.filter(ikm__province__code=province)
        query = (request.GET.get("q") or "").strip()[:200]
        if query:
            participants = participants.filter(
                Q(ikm__name__icontains=query)
                | Q(ikm__nib=query.replace(" ", ""))
                | Q(mou__number__icontains=query)
                | Q(mou__buyer__organisation__name__icontains=query)
            )
        participants = participants.order_by("-committed_market_access", "ikm__name", "pk")
        page = Paginator(participants, self.paginate_by).get_page(request.GET.get("page"))
        rows = selectors.candidates(page.object_list, user)
        params = request.GET.copy()
        params.pop("page", None)
        context = {
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "candidates": rows,
            "provinces": Province.objects.order_by("name"),
            "province": province,
            "q": query,
            "query": params.urlencode(),
            "can_apply": user.has_perm("pembiayaan.add_akadkredit") and bool(own_lender(user)),
        }
        return render(request, "pembiayaan/candidate_list.html", context)


# --- Lenders ---------------------------------------------------------------------------------


class LenderListView(PermissionRequiredMixin, ListView):
    """The lenders with the totals of their akad the user may see."""

    permission_required = "pembiayaan.view_lenderprofile"
    template_name = "pembiayaan/lender_list.html"

    def get_queryset(self):
        return selectors.lenders_with_totals(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["own_lender"] = (
            own_lender(user) if user.has_perm("pembiayaan.change_lenderprofile") else None
        )
        return context


class LenderProfileUpdateView(PermissionRequiredMixin, View):
    """A lender officer edits their own lender's details (short name, OJK licence,
    address)."""

    permission_required = "pembiayaan.change_lenderprofile"
    template_name = "pembiayaan/lender_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.lender = own_lender(request.user)
        if self.lender is None:
            raise PermissionDenied(NO_OWN_LENDER)
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        context = {"form": form, "lender": self.lender}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_form(LenderProfileForm(instance=self.lender))

    def post(self, request):
        form = LenderProfileForm(request.POST, instance=self.lender)
        if not form.is_valid():
            return self.render_form(form, status=422)
        lender = form.save(commit=False)
        lender._history_user = request.user
        lender._change_reason = "edited"
        lender.full_clean()
        lender.save()
        messages.success(request, _("The lender's details have been saved."))
        return redirect("pembiayaan:lender-list")


# --- Sections on other apps' pages -----------------------------------------------------------


def ikm_akad_section(request, ikm) -> str | None:
    """IKM page section (registered with ikm.detail_sections): the IKM's credit the user may
    see, with the candidates' MoUs it could still borrow against."""
    user = request.user
    if not user.is_authenticated or not user.has_perm("pembiayaan.view_akadkredit"):
        return None
    akads = selectors.with_coverage(
        AkadKredit.objects.visible_to(user)
        .filter(borrower=ikm)
        .select_related("lender__organisation", "scheme", "mou")
        .with_disbursed()
        .order_by("-applied_on", "-pk")
    )
    open_mous = list(selectors.candidate_participants(user).filter(ikm=ikm).order_by("mou__number"))
    if not akads and not open_mous:
        return None
    return render_to_string(
        "pembiayaan/partials/ikm_akad.html",
        {
            "ikm": ikm,
            "akads": akads,
            "open_participations": open_mous,
            "can_apply": user.has_perm("pembiayaan.add_akadkredit") and bool(own_lender(user)),
        },
        request=request,
    )


def mou_akad_section(request, mou: MoU) -> str | None:
    """MoU page section (registered with kemitraan.mou_sections): the credit the user may see
    resting on this MoU, per borrower, with its coverage by the borrower's commitment."""
    user = request.user
    if not user.is_authenticated or not user.has_perm("pembiayaan.view_akadkredit"):
        return None
    akads = selectors.with_coverage(
        AkadKredit.objects.visible_to(user)
        .filter(mou=mou)
        .select_related("lender__organisation", "borrower", "scheme")
        .with_disbursed()
        .order_by("borrower__name", "applied_on", "pk")
    )
    if not akads and mou.status == MoU.Status.DRAFT:
        return None
    signed = [a for a in akads if a.is_signed]
    return render_to_string(
        "pembiayaan/partials/mou_akad.html",
        {
            "mou": mou,
            "akads": akads,
            "signed_amount": sum(a.plafon for a in signed),
            "signed_count": len(signed),
            "pipeline_amount": sum(
                a.plafon for a in akads if a.status in AkadKredit.PIPELINE_STATUSES
            ),
        },
        request=request,
    )
