"""Buyer screens: procurement needs and their suggestions, the buyer's actions on them, the
"why not this supplier?" look-up, buyer profiles, MoUs.

Access: a role without the model permission gets 403 whatever the object; with it, an
object outside the user's scope (``visible_to``) is a 404. Writes go through
:mod:`kemitraan.services`.
"""

import re

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views import View
from django.views.generic import ListView

from accounts.models import User
from accounts.roles import Role
from ikm.models import IKM

from . import selectors
from .filters import DemandFilterSet, MouFilterSet
from .forms import WHY_NOT_QUERY_TOO_SHORT, BuyerProfileForm, DemandForm, DismissForm
from .matching.explain import explain_pair
from .matching.run import SUGGESTIONS_PER_NEED
from .models import BuyerProfile, Demand, MatchSuggestion, MoU
from .services import (
    demand_create,
    demand_update,
    suggestion_dismiss,
    suggestion_mark_contacted,
    suggestion_restore,
    suggestion_shortlist,
)

DETAIL_TEMPLATE = "kemitraan/demand_detail.html"
NEED_SAVED = gettext_noop(
    "The need has been saved. Suitable suppliers are being computed: they appear below in a moment."
)
WHY_NOT_RESULTS = 10


class FilteredListMixin:
    """A list with a filter bar (``filterset_class``, narrowing the user's records). With an
    invalid filter nothing is listed: the error is shown next to its field, rather than a
    list that is not the one asked for. The pages keep the query."""

    filterset_class: type

    def filter_records(self, records):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=records, user=self.request.user
        )
        if not self.filterset.is_bound:
            return records
        if not self.filterset.is_valid():
            return records.none()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
        return context


class DemandListView(PermissionRequiredMixin, FilteredListMixin, ListView):
    """Procurement needs in the user's scope, with how many suppliers were suggested and
    how many are kept (shortlisted or contacted)."""

    permission_required = "kemitraan.view_demand"
    template_name = "kemitraan/demand_list.html"
    paginate_by = 25
    filterset_class = DemandFilterSet

    def get_queryset(self):
        return selectors.demands_with_counts(
            self.filter_records(Demand.objects.visible_to(self.request.user))
            .select_related("buyer__organisation", "province", "regency")
            .order_by("status", "-created_at")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_add"] = self.request.user.has_perm("kemitraan.add_demand")
        return context


def own_buyer_profile(user) -> BuyerProfile:
    """The buyer profile of the user's organisation, or 404."""
    if not user.organisation_id:
        raise Http404
    return get_object_or_404(
        BuyerProfile.objects.select_related("organisation"), organisation_id=user.organisation_id
    )


def meeting_buyer(user) -> BuyerProfile | None:
    """The buyer profile a procurement officer requests Link & Match meetings for, or None
    for anyone else (other roles, an officer whose organisation has no buyer profile)."""
    if not user.is_authenticated or not user.organisation_id or user.role != Role.PENGADAAN:
        return None
    if not user.has_perm("kemitraan.add_meeting"):
        return None
    return BuyerProfile.objects.filter(organisation_id=user.organisation_id).first()


def can_request_meeting(user, demand: Demand) -> bool:
    """The need's own officers may request a meeting with a suggested supplier."""
    buyer = meeting_buyer(user)
    return buyer is not None and buyer.pk == demand.buyer_id


class DemandFormMixin:
    """Shared by create and edit: the form, the service call, the redirect."""

    template_name = "kemitraan/demand_form.html"
    instance: Demand

    def render_form(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "demand": self.instance if self.instance.pk else None},
            status=status,
        )

    def get(self, request, *args, **kwargs):
        return self.render_form(DemandForm(instance=self.instance))

    def post(self, request, *args, **kwargs):
        form = DemandForm(request.POST, instance=self.instance)
        if not form.is_valid():
            return self.render_form(form, status=422)
        try:
            demand = self.save(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.render_form(form, status=422)
        messages.success(request, _(NEED_SAVED))
        return redirect(demand)


class DemandCreateView(PermissionRequiredMixin, DemandFormMixin, View):
    """Post a procurement need for the officer's own organisation."""

    permission_required = "kemitraan.add_demand"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.instance = Demand(buyer=own_buyer_profile(request.user))
        return super().dispatch(request, *args, **kwargs)

    def save(self, form):
        return demand_create(
            demand=form.save(commit=False), actor=self.request.user, **form.codes()
        )


class DemandUpdateView(PermissionRequiredMixin, DemandFormMixin, View):
    permission_required = "kemitraan.change_demand"

    def dispatch(self, request, *args, **kwargs):
        # The permission first (403 whatever the object), then the scope (404).
        if not self.has_permission():
            return self.handle_no_permission()
        self.instance = get_object_or_404(
            Demand.objects.visible_to(request.user).select_related("buyer"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def save(self, form):
        return demand_update(
            demand=form.save(commit=False), actor=self.request.user, **form.codes()
        )


def demand_page_context(request, demand: Demand, *, refused=None, **extra) -> dict:
    """The need's page. ``refused``: (suggestion pk, form) of an action that was refused,
    shown next to that suggestion's row."""
    user = request.user
    context = {
        "demand": demand,
        "can_edit": user.has_perm("kemitraan.change_demand"),
        "can_act": user.has_perm("kemitraan.change_matchsuggestion"),
        "can_request_meeting": can_request_meeting(user, demand),
        **selectors.demand_suggestions(demand),
        **extra,
    }
    if refused is not None:
        pk, form = refused
        for suggestion in [*context["suggestions"], *context["dismissed"]]:
            if suggestion.pk == pk:
                suggestion.form = form
    return context


class DemandMixin:
    """Fetch the need through the user's scope after the permission check."""

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.demand = get_object_or_404(selectors.demand_queryset(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class DemandDetailView(PermissionRequiredMixin, DemandMixin, View):
    """The need, its suggestions by rank with their explanation, the buyer's actions and
    the "why not this supplier?" look-up. Kemenperin and KADIN read it without actions."""

    permission_required = "kemitraan.view_demand"

    def get(self, request, pk):
        return render(request, DETAIL_TEMPLATE, demand_page_context(request, self.demand))


class DemandSuggestionsView(PermissionRequiredMixin, DemandMixin, View):
    """htmx: the suggestions section alone. Polled with ``?wait=1`` while they are being
    computed: "204 No Content" (nothing to swap) until they are ready."""

    permission_required = "kemitraan.view_demand"

    def get(self, request, pk):
        if request.GET.get("wait") and selectors.suggestions_pending(self.demand):
            return HttpResponse(status=204)
        return render(
            request,
            f"{DETAIL_TEMPLATE}#suggestions",
            demand_page_context(request, self.demand),
        )


class WhyNotView(PermissionRequiredMixin, DemandMixin, View):
    """The "why not this supplier?" look-up: find an IKM the user can see by name or NIB,
    then explain how it fares against the need. htmx gets the result alone; without
    JavaScript the need's page is rendered with it."""

    permission_required = "kemitraan.view_demand"

    def get(self, request, pk):
        query = (request.GET.get("q") or "").strip()
        context = {"why_not_query": query, "why_not_searched": True}
        visible = IKM.objects.visible_to(request.user)
        if request.GET.get("ikm"):
            try:
                ikm_pk = int(request.GET["ikm"])
            except ValueError as exc:
                raise Http404 from exc
            ikm = get_object_or_404(visible.select_related("regency"), pk=ikm_pk)
            context.update(explanation_context(self.demand, ikm))
        elif not query:
            context["why_not_searched"] = False
        else:
            digits = re.sub(r"[\s.\-]", "", query)
            if re.fullmatch(r"[0-9]{13}", digits):
                candidates = visible.filter(nib=digits)
            elif len(query) >= 3:
                candidates = visible.filter(name__icontains=query)
            else:
                candidates = None
                context["why_not_error"] = WHY_NOT_QUERY_TOO_SHORT
            if candidates is not None:
                context["candidates"] = list(
                    candidates.select_related("regency").order_by("name", "pk")[
                        : WHY_NOT_RESULTS + 1
                    ]
                )
        if request.htmx:
            context["demand"] = self.demand
            return render(request, f"{DETAIL_TEMPLATE}#why-not-result", context)
        return render(
            request, DETAIL_TEMPLATE, demand_page_context(request, self.demand, **context)
        )


def explanation_context(demand: Demand, ikm: IKM) -> dict:
    """How ``ikm`` fares against ``demand`` (``explain_pair``), with each component's
    points next to those of the 20th stored suggestion when there is such a cut-off."""
    explanation = explain_pair(demand, ikm)
    cutoff_suggestion = None
    if explanation.cutoff is not None:
        # The suggestion whose score is the cut-off (as explain_pair picks it).
        cutoff_suggestion = (
            demand.suggestions.exclude(status=MatchSuggestion.Status.DISMISSED)
            .order_by("rank")[SUGGESTIONS_PER_NEED - 1 : SUGGESTIONS_PER_NEED]
            .first()
        )
    cutoff_breakdown = (cutoff_suggestion.breakdown or {}) if cutoff_suggestion else {}
    components = [
        {
            "name": row.name,
            "label": row.label,
            "value": row.value,
            "percent": selectors.score_percent(row.value * 100) if row.value is not None else 0,
            "points": row.points,
            "max_points": row.max_points,
            "cutoff_points": cutoff_breakdown.get(row.name),
        }
        for row in explanation.components
    ]
    gap = None
    if explanation.score is not None and explanation.cutoff is not None:
        gap = max(0.0, float(explanation.cutoff) - float(explanation.score))
    return {
        "why_not_ikm": ikm,
        "explanation": explanation,
        "explanation_components": components,
        "why_not_gap": gap,
        "cutoff_suggestion": cutoff_suggestion,
    }


class SuggestionActionView(PermissionRequiredMixin, View):
    """A buyer's action on one suggestion (POST). htmx gets that suggestion's row back;
    a plain POST is redirected to the need's page. A refusal is shown next to the row."""

    permission_required = "kemitraan.change_matchsuggestion"

    def act(self, suggestion, form):
        raise NotImplementedError

    def success_message(self, suggestion) -> str:
        raise NotImplementedError

    def post(self, request, pk):
        suggestion = get_object_or_404(
            selectors.suggestion_queryset().filter(
                demand__in=Demand.objects.visible_to(request.user)
            ),
            pk=pk,
        )
        form = DismissForm(request.POST)
        form.is_valid()
        try:
            self.act(suggestion, form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.refused(suggestion, form)
        suggestion = selectors.suggestion_queryset().get(pk=suggestion.pk)
        if request.htmx:
            return self.row(suggestion)
        messages.success(request, self.success_message(suggestion))
        return redirect(f"{suggestion.demand.get_absolute_url()}#suggestion-{suggestion.pk}")

    def row(self, suggestion, form=None, status=200):
        suggestion = selectors.decorate(suggestion)
        suggestion.form = form
        html = render_to_string(
            f"{DETAIL_TEMPLATE}#suggestion-row",
            {
                "s": suggestion,
                "demand": suggestion.demand,
                "can_act": True,
                "can_request_meeting": can_request_meeting(self.request.user, suggestion.demand),
            },
            request=self.request,
        )
        return HttpResponse(html, status=status)

    def refused(self, suggestion, form):
        if self.request.htmx:
            return self.row(suggestion, form, status=422)
        demand = get_object_or_404(
            selectors.demand_queryset(self.request.user), pk=suggestion.demand_id
        )
        context = demand_page_context(self.request, demand, refused=(suggestion.pk, form))
        return render(self.request, DETAIL_TEMPLATE, context, status=422)


class SuggestionShortlistView(SuggestionActionView):
    def act(self, suggestion, form):
        suggestion_shortlist(suggestion=suggestion, actor=self.request.user)

    def success_message(self, suggestion):
        return _("%(name)s is on the shortlist: its contact details are now visible.") % {
            "name": suggestion.ikm.name
        }


class SuggestionContactedView(SuggestionActionView):
    def act(self, suggestion, form):
        suggestion_mark_contacted(suggestion=suggestion, actor=self.request.user)

    def success_message(self, suggestion):
        return _("%(name)s is marked as contacted.") % {"name": suggestion.ikm.name}


class SuggestionDismissView(SuggestionActionView):
    def act(self, suggestion, form):
        suggestion_dismiss(
            suggestion=suggestion,
            actor=self.request.user,
            reason=form.cleaned_data.get("reason", "") if form.is_bound else "",
        )

    def success_message(self, suggestion):
        return _("%(name)s has been dismissed for this need.") % {"name": suggestion.ikm.name}


class SuggestionRestoreView(SuggestionActionView):
    def act(self, suggestion, form):
        suggestion_restore(suggestion=suggestion, actor=self.request.user)

    def success_message(self, suggestion):
        return _("%(name)s is an ordinary suggestion again.") % {"name": suggestion.ikm.name}


def ikm_matching_needs_section(request, ikm) -> str | None:
    """IKM page section (registered with ikm.detail_sections): the open needs this IKM is
    suggested for. Kemenperin and KADIN only."""
    user = request.user
    if not user.is_authenticated or not user.sees_everything:
        return None
    return render_to_string(
        "kemitraan/partials/ikm_matching_needs.html",
        {"matches": selectors.ikm_matching_needs(ikm, user), "ikm": ikm},
        request=request,
    )


# --- Buyers ----------------------------------------------------------------------------


def buyer_page(request, buyer: BuyerProfile):
    user = request.user
    own = user.organisation_id == buyer.organisation_id
    context = {
        "buyer": buyer,
        "is_own": own,
        "can_edit": own and user.has_perm("kemitraan.change_buyerprofile"),
        "officers": None,
        "demands": None,
    }
    if own or user.sees_everything:
        context["officers"] = list(
            User.objects.filter(organisation_id=buyer.organisation_id, is_active=True).order_by(
                "first_name", "last_name", "username"
            )
        )
    if user.sees_everything:
        context["demands"] = list(
            selectors.demands_with_counts(
                Demand.objects.visible_to(user).filter(buyer=buyer)
            ).order_by("status", "-created_at")
        )
    return render(request, "kemitraan/buyer_detail.html", context)


def _buyers(user):
    return BuyerProfile.objects.visible_to(user).select_related(
        "organisation", "province", "regency"
    )


class BuyerProfileView(PermissionRequiredMixin, View):
    """The officer's own organisation's buyer profile. Kemenperin and KADIN, who have none,
    go to the list of buyers."""

    permission_required = "kemitraan.view_buyerprofile"

    def get(self, request):
        if request.user.organisation_id:
            buyer = (
                _buyers(request.user).filter(organisation_id=request.user.organisation_id).first()
            )
            if buyer is not None:
                return buyer_page(request, buyer)
        if request.user.sees_everything:
            return redirect("kemitraan:buyer-list")
        raise Http404


class BuyerProfileUpdateView(PermissionRequiredMixin, View):
    """Edit the officer's own organisation's buyer profile."""

    permission_required = "kemitraan.change_buyerprofile"
    template_name = "kemitraan/buyer_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.buyer = own_buyer_profile(request.user)
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        return render(
            self.request, self.template_name, {"form": form, "buyer": self.buyer}, status=status
        )

    def get(self, request):
        return self.render_form(BuyerProfileForm(instance=self.buyer))

    def post(self, request):
        form = BuyerProfileForm(request.POST, instance=self.buyer)
        if not form.is_valid():
            return self.render_form(form, status=422)
        buyer = form.save(commit=False)
        buyer._history_user = request.user
        buyer.full_clean()
        buyer.save()
        messages.success(request, _("The buyer profile has been saved."))
        return redirect("kemitraan:buyer-profile")


class BuyerListView(PermissionRequiredMixin, ListView):
    """Every buyer, with its number of open needs (for Kemenperin and KADIN)."""

    permission_required = "kemitraan.view_buyerprofile"
    template_name = "kemitraan/buyer_list.html"
    paginate_by = 25
    context_object_name = "buyers"

    def get_queryset(self):
        buyers = _buyers(self.request.user).order_by("organisation__name")
        if self.request.user.sees_everything:
            buyers = buyers.annotate(
                open_demand_count=Count("demands", filter=Q(demands__status="open"))
            )
        return buyers


class BuyerDetailView(PermissionRequiredMixin, View):
    permission_required = "kemitraan.view_buyerprofile"

    def get(self, request, pk):
        return buyer_page(request, get_object_or_404(_buyers(request.user), pk=pk))


class MouListView(PermissionRequiredMixin, FilteredListMixin, ListView):
    """MoUs in the user's scope with their committed market access."""

    permission_required = "kemitraan.view_mou"
    template_name = "kemitraan/mou_list.html"
    paginate_by = 25
    filterset_class = MouFilterSet

    def get_queryset(self):
        return (
            self.filter_records(MoU.objects.visible_to(self.request.user))
            .with_market_access()
            .annotate(participant_count=Count("participants"))
            .select_related("buyer__organisation", "event")
            .order_by("-valid_from", "number")
        )
