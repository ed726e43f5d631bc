"""The program dashboard: one stored snapshot read per page, its charts, tables and export.

Who sees what: Kemenperin staff and KADIN admins the program's figures; a procurement
officer their buyer's slice, a lender officer their lender's; anyone else is refused (403).
"""

from __future__ import annotations

import datetime
import functools

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.roles import Role
from ikm.kbli_divisions import division_label
from ikm.models import Province
from kemitraan.models import LinkMatchEvent
from kemitraan.po_import_views import download_xlsx
from pembiayaan.models import CreditScheme

from . import export, services, tables
from .figures import PROGRAM, Filters, Scope
from .forms import DashboardFilterForm
from .links import Links
from .models import Snapshot

FRAGMENT_SECONDS = 10 * 60


def funnel_label(step: str) -> str:
    labels = {
        "registered": _("IKM registered"),
        "suggested": _("Suggested to a buyer"),
        "met": _("Met a buyer"),
        "mou": _("In an MoU in force"),
        "credit": _("MoU and credit (closed loop)"),
    }
    return labels[step]


def dashboard_scope(user, filters: Filters | None = None) -> Scope:
    """The user's scope, or PermissionDenied: the program for Kemenperin and KADIN, their
    organisation's slice for buyer and lender officers."""
    filters = filters or Filters()
    if not user.is_authenticated:
        raise PermissionDenied
    if user.sees_everything:
        return Scope(PROGRAM, None, filters)
    organisation = user.organisation
    if (
        user.role in (Role.PENGADAAN, Role.PEMBIAYAAN)
        and organisation is not None
        and (organisation.is_buyer or organisation.is_lender)
    ):
        return Scope.for_organisation(organisation, filters)
    raise PermissionDenied


class DashboardMixin(LoginRequiredMixin):
    """Reads the user's figures: the stored snapshot, or (with filters) the filtered view."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.scope = dashboard_scope(request.user)
        return super().dispatch(request, *args, **kwargs)

    def load(self):
        request = self.request
        self.form = DashboardFilterForm(request.GET or None)
        filters = self.form.filters()
        self.scope = Scope(self.scope.kind, self.scope.organisation_id, filters)
        organisation = request.user.organisation if self.scope.kind != PROGRAM else None
        self.row = services.latest(organisation)
        self.figures = None
        self.computed_at = None
        self.live = False
        if self.row is None:
            return
        if filters:
            self.figures = services.filtered(self.scope, self.row.snapshot)
            self.computed_at = datetime.datetime.fromisoformat(self.figures["computed_at"])
            self.live = True
        else:
            self.figures = self.row.figures
            self.computed_at = self.row.snapshot.computed_at

    def title(self) -> str:
        if self.scope.kind == PROGRAM:
            return _("Program dashboard")
        return _("Dashboard of %(organisation)s") % {
            "organisation": self.request.user.organisation.name
        }

    def filter_lines(self) -> list[str]:
        f = self.scope.filters
        lines = []
        if f.date_from or f.date_to:
            lines.append(
                _("Period: %(start)s to %(end)s")
                % {
                    "start": date_format(f.date_from, "j M Y") if f.date_from else "…",
                    "end": date_format(f.date_to, "j M Y") if f.date_to else "…",
                }
            )
        if f.event:
            name = LinkMatchEvent.objects.filter(pk=f.event).values_list("name", flat=True)
            lines.append(_("Event: %(name)s") % {"name": name.first() or f.event})
        if f.province:
            name = Province.objects.filter(code=f.province).values_list("name", flat=True)
            lines.append(_("Province: %(name)s") % {"name": name.first() or f.province})
        if f.sector:
            lines.append(_("Sector: %(name)s") % {"name": division_label(f.sector)})
        return lines

    def tables(self, links: Links) -> list[tables.Table]:
        codes = dict(CreditScheme.objects.values_list("pk", "code"))
        return tables.build(self.figures, links, codes)

    def funnel(self) -> list[tuple[str, object]]:
        """The funnel's steps that apply to the scope (a slice has no "registered" step,
        a lender's none of suggestions and meetings)."""
        return [
            (funnel_label(step["step"]), step["ikm"])
            for step in self.figures["funnel"]
            if step["ikm"] is not None
        ]


class OverviewView(DashboardMixin, TemplateView):
    template_name = "dasbor/overview.html"

    def fragment_key(self) -> str:
        """What the cached body of the page depends on (besides the language)."""
        user = self.request.user
        return ":".join(
            [
                str(self.row.snapshot.pk),
                # A test database restarts its ids; the time of the snapshot does not.
                self.row.snapshot.computed_at.isoformat(),
                str(self.scope.organisation_id or "program"),
                str(user.role or ""),
                "su" if user.is_superuser else "",
                self.figures.get("computed_at", "") if self.live else "",
                self.request.GET.urlencode() if self.live else "",
            ]
        )

    def get(self, request, *args, **kwargs):
        self.load()
        if self.row is None:
            # No snapshot yet (a new installation): compute one now or in the worker.
            from .tasks import snapshot_refresh_task

            snapshot_refresh_task.delay(Snapshot.Trigger.MANUAL)
            self.load()
        status = 200 if self.form.is_valid() or not self.form.is_bound else 422
        return self.render_to_response(self.get_context_data(), status=status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        links = Links(user, self.scope.filters, self.scope.kind)
        context.update(
            title=self.title(),
            form=self.form,
            scope=self.scope,
            is_program=self.scope.kind == PROGRAM,
            figures=self.figures,
            computed_at=self.computed_at,
            live=self.live,
            snapshot=self.row.snapshot if self.row else None,
            filter_lines=self.filter_lines(),
            query=self.request.GET.urlencode(),
            can_refresh=user.sees_everything,
        )
        if self.figures is None:
            return context

        @functools.cache
        def kpi_links():
            return {
                "ikm": links.ikm(),
                "mous": links.mous(state="in_force"),
                "mous_signed": links.mous(state="signed"),
                "akad_signed": links.akad(stage="signed"),
                "akad_pipeline": links.akad(stage="pipeline"),
                "akad_disbursed": links.akad(stage="disbursed"),
                "demands_open": links.demands(status="open"),
                "buyers": links.buyers(),
            }

        # The body below the filters depends only on the figures, the scope, the role (its
        # links) and the language: the template caches it (FRAGMENT_SECONDS), and these
        # callables (and the lazy history) are only evaluated, by the template, when it is
        # not cached.
        context.update(
            fragment_key=self.fragment_key(),
            fragment_seconds=FRAGMENT_SECONDS,
            kpi_links=kpi_links,
            tables=functools.cache(lambda: self.tables(links)),
            funnel=functools.cache(self.funnel),
            chart_data=functools.cache(lambda: chart_data(self.figures, self.funnel())),
            history=(
                SimpleLazyObject(lambda: services.history(30)) if self.scope.kind == PROGRAM else []
            ),
        )
        return context


class ExportView(DashboardMixin, View):
    """The dashboard as ``.xlsx``: what the page shows, with the same filters."""

    def get(self, request, *args, **kwargs):
        self.load()
        if self.figures is None:
            messages.info(request, _("The figures are being computed; try again in a minute."))
            return redirect("dasbor:overview")
        links = Links(request.user, self.scope.filters, self.scope.kind)
        content = export.workbook(
            title=self.title(),
            figures=self.figures,
            computed_at=self.computed_at,
            filter_lines=self.filter_lines(),
            funnel=self.funnel(),
            tables=self.tables(links),
        )
        stamp = timezone.localtime(self.computed_at).strftime("%Y%m%d-%H%M")
        return download_xlsx(content, f"dasbor-kemitraan-{stamp}.xlsx")


class RefreshView(LoginRequiredMixin, View):
    """Kemenperin and KADIN ask for new figures now (the job runs in the worker)."""

    def post(self, request, *args, **kwargs):
        if not request.user.sees_everything:
            raise PermissionDenied
        from .tasks import snapshot_refresh_task

        snapshot_refresh_task.delay(Snapshot.Trigger.MANUAL)
        messages.success(
            request,
            _("New figures have been requested. They appear here when the job has finished."),
        )
        return redirect("dasbor:overview")


def chart_data(figures: dict, funnel: list[tuple[str, object]]) -> dict:
    """What the charts draw (static/js/dasbor.js), passed with json_script."""
    provinces = figures["market_access_by_province"][:15]
    lenders = figures["akad_by_lender"][:15]
    return {
        "labels": {
            "ikm": _("IKM"),
            "market_access": _("Committed market access (Rp per year)"),
            "signed": _("Signed (Rp)"),
            "pipeline": _("In process (Rp)"),
            "disbursed": _("Disbursed (Rp)"),
            "akad_signed_amount": _("Akad signed (Rp)"),
            "mou_market_access": _("Market access committed (Rp/year)"),
            "po_value": _("Purchase orders (Rp)"),
        },
        "funnel": {
            "labels": [label for label, _value in funnel],
            "values": [value for _label, value in funnel],
        },
        "provinces": {
            "labels": [row["name"] for row in provinces],
            "values": [row["amount"] for row in provinces],
        },
        "lenders": {
            "labels": [row["name"] for row in lenders],
            "signed": [row["signed_amount"] for row in lenders],
            "pipeline": [row["pipeline_amount"] for row in lenders],
            "disbursed": [row["disbursed_amount"] for row in lenders],
        },
        "monthly": {
            "labels": [tables.month_label(row["month"]) for row in figures["monthly"]],
            "market_access": [row["market_access"] for row in figures["monthly"]],
            "akad_signed_amount": [row["akad_signed_amount"] for row in figures["monthly"]],
            "po_value": [row["po_value"] for row in figures["monthly"]],
        },
    }
