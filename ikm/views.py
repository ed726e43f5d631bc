"""Registry screens: the work queue, registering and editing, the IKM page, verification,
documents, and the small htmx helpers of the form."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from .contacts import can_see_contacts, contacts_for
from .detail_sections import sections_for
from .forms import CONFIRM_NOT_DUPLICATE, CertificateFormSet, IkmForm, MoneyField
from .models import IKM, Certificate, Regency
from .services import (
    CHANGE_REASONS,
    ikm_deactivate,
    ikm_possible_duplicates,
    ikm_reactivate,
    ikm_register,
    ikm_reject,
    ikm_submit,
    ikm_update,
    ikm_verify,
)
from .size_class import size_class, umkm_class
from .uploads import document_response


class WorklistView(PermissionRequiredMixin, ListView):
    """Kemenperin's work queue: IKM by verification status, submitted ones first."""

    permission_required = "ikm.view_ikm"
    template_name = "ikm/worklist.html"
    paginate_by = 25

    def get_status(self):
        status = self.request.GET.get("status", IKM.Status.SUBMITTED)
        return status if status in IKM.Status.values else IKM.Status.SUBMITTED

    def get_queryset(self):
        return (
            IKM.objects.visible_to(self.request.user)
            .filter(verification_status=self.get_status())
            .select_related("province", "regency")
            .order_by("-updated_at", "name")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = dict(
            IKM.objects.visible_to(self.request.user)
            .values_list("verification_status")
            .annotate(n=Count("id"))
        )
        context["status"] = self.get_status()
        context["tabs"] = [
            (value, label, counts.get(value, 0)) for value, label in IKM.Status.choices
        ]
        return context


class VisibleIkmMixin:
    """Fetch the IKM through the user's scope: anything else is a 404."""

    def get_ikm(self) -> IKM:
        return get_object_or_404(IKM.objects.visible_to(self.request.user), pk=self.kwargs["pk"])


class IkmFormMixin:
    """Shared by create and edit: the form, the certificate formset and the duplicate check."""

    template_name = "ikm/ikm_form.html"
    instance: IKM | None = None

    def build(self, data=None, files=None, confirm=False):
        form = IkmForm(data, files, instance=self.instance, show_duplicate_confirmation=confirm)
        formset = CertificateFormSet(data, files, instance=self.instance or IKM(), prefix="cert")
        return form, formset

    def render_form(self, form, formset, duplicates=(), status=200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "formset": formset,
                "ikm": self.instance,
                "duplicates": duplicates,
                "size_preview": _size_preview(form),
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        form, formset = self.build()
        return self.render_form(form, formset)

    def post(self, request, *args, **kwargs):
        confirm_shown = "confirm_not_duplicate" in request.POST or request.POST.get(
            "duplicates_shown"
        )
        form, formset = self.build(request.POST, request.FILES, confirm=bool(confirm_shown))
        if not (form.is_valid() and formset.is_valid()):
            return self.render_form(form, formset, status=422)
        duplicates = ikm_possible_duplicates(
            name=form.cleaned_data["name"],
            npwp=form.cleaned_data["npwp"],
            regency_id=form.cleaned_data["regency"].pk,
            exclude_pk=self.instance.pk if self.instance else None,
        )
        if duplicates and not form.cleaned_data.get("confirm_not_duplicate"):
            form, formset = self.build(request.POST, request.FILES, confirm=True)
            form.is_valid()
            formset.is_valid()
            form.add_error("confirm_not_duplicate", CONFIRM_NOT_DUPLICATE)
            return self.render_form(form, formset, duplicates=duplicates, status=422)
        try:
            ikm = self.save(form, formset)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.render_form(form, formset, status=422)
        return redirect("ikm:detail", pk=ikm.pk)


def _size_preview(form) -> dict | None:
    """The derived classes for what the form holds now (shown as the user types)."""
    data = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else None
    if data is None and form.instance.pk:
        data = {
            "workforce": form.instance.workforce,
            "investment_value": form.instance.investment_value,
            "annual_revenue": form.instance.annual_revenue,
        }
    if not data or data.get("workforce") is None or data.get("investment_value") is None:
        return None
    return {
        "size_class": size_class(data["workforce"], data["investment_value"]).label,
        "umkm_class": umkm_class(data["investment_value"], data.get("annual_revenue")).label,
    }


class IkmCreateView(PermissionRequiredMixin, IkmFormMixin, View):
    """Register an IKM after a field visit (Kemenperin)."""

    permission_required = "ikm.add_ikm"

    @transaction.atomic
    def save(self, form, formset):
        ikm = form.save(commit=False)
        formset.instance = ikm
        certificates = [
            f.save(commit=False)
            for f in formset.forms
            if f.has_changed() and not f.cleaned_data.get("DELETE")
        ]
        ikm = ikm_register(
            ikm=ikm,
            kbli=form.cleaned_data["kbli"],
            processes=form.cleaned_data["processes"],
            certificates=certificates,
            actor=self.request.user,
            submit="submit" in self.request.POST,
        )
        messages.success(self.request, _("%(name)s has been registered.") % {"name": ikm.name})
        return ikm


class IkmUpdateView(PermissionRequiredMixin, VisibleIkmMixin, IkmFormMixin, View):
    permission_required = "ikm.change_ikm"

    def dispatch(self, request, *args, **kwargs):
        # The permission first (403 whatever the object), then the scope (404).
        if not self.has_permission():
            return self.handle_no_permission()
        self.instance = self.get_ikm()
        return super().dispatch(request, *args, **kwargs)

    @transaction.atomic
    def save(self, form, formset):
        ikm = form.save(commit=False)
        ikm_update(
            ikm=ikm,
            kbli=form.cleaned_data["kbli"],
            processes=form.cleaned_data["processes"],
            actor=self.request.user,
        )
        for certificate in formset.save(commit=False):
            certificate.ikm = ikm
            certificate._history_user = self.request.user
            certificate.full_clean()
            certificate.save()
        for certificate in formset.deleted_objects:
            certificate._history_user = self.request.user
            certificate.delete()
        messages.success(self.request, _("The changes have been saved."))
        return ikm


class IkmDetailView(PermissionRequiredMixin, VisibleIkmMixin, DetailView):
    """The IKM page: identity, location, scale, capabilities, certificates, history."""

    permission_required = "ikm.view_ikm"
    template_name = "ikm/ikm_detail.html"
    context_object_name = "ikm"

    def get_object(self, queryset=None):
        return get_object_or_404(
            IKM.objects.visible_to(self.request.user)
            .select_related("province", "regency", "verified_by", "created_by")
            .prefetch_related(
                "kbli",
                "processes",
                Prefetch(
                    "certificates",
                    queryset=Certificate.objects.select_related("certification_type"),
                ),
            ),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ikm = self.object
        user = self.request.user
        today = timezone.localdate()
        context["certificates"] = [
            {"certificate": c, "valid": c.is_valid_on(today)} for c in ikm.certificates.all()
        ]
        context["can_see_contacts"] = can_see_contacts(user, ikm)
        context["history"] = _history_rows(ikm) if user.sees_everything else None
        context["can_edit"] = user.has_perm("ikm.change_ikm")
        context["can_verify"] = user.has_perm("ikm.verify_ikm")
        context["is_referenced"] = (
            ikm.mou_participations.exists() or ikm.akad.exists() if user.sees_everything else False
        )
        # Sections provided by higher apps (kemitraan: the needs this IKM is suggested for).
        context["extra_sections"] = sections_for(self.request, ikm)
        return context


HISTORY_FIELDS = [
    f.name
    for f in IKM._meta.concrete_fields
    if f.name not in {"id", "search_vector", "updated_at", "created_at"}
]


def _field_value(record, name):
    field = IKM._meta.get_field(name)
    return getattr(record, field.attname)


def _history_rows(ikm: IKM, limit: int = 50) -> list[dict]:
    """The audit trail, newest first: who, when, why, and which fields changed.

    One save writes several history records (the row, then its KBLI and processes);
    records by the same user within a few seconds are shown as one change.
    """
    records = list(
        ikm.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit * 3 + 1
        ]
    )
    rows: list[dict] = []
    for record, older in zip(records, [*records[1:], None], strict=False):
        changed = []
        if older is not None:
            changed = [
                str(IKM._meta.get_field(name).verbose_name)
                for name in HISTORY_FIELDS
                if _field_value(record, name) != _field_value(older, name)
            ]
        reason = CHANGE_REASONS.get(
            record.history_change_reason or "", record.history_change_reason
        )
        last = rows[-1] if rows else None
        if (
            last is not None
            and last["user"] == record.history_user
            and (last["oldest"] - record.history_date).total_seconds() <= 5
        ):
            last["changed"] = sorted(set(last["changed"]) | set(changed))
            last["reason"] = last["reason"] or reason
            last["type"] = record.history_type if record.history_type == "+" else last["type"]
            last["oldest"] = record.history_date
            continue
        rows.append(
            {
                "date": record.history_date,
                "oldest": record.history_date,
                "user": record.history_user,
                "type": record.history_type,
                "reason": reason,
                "changed": changed,
                "status": record.get_verification_status_display(),
            }
        )
    for row in rows:
        if row["type"] == "+":
            row["changed"] = []
    return rows[:limit]


class IkmContactView(PermissionRequiredMixin, VisibleIkmMixin, View):
    """Reveal the contact data on request (POST, htmx): each reveal is recorded."""

    permission_required = "ikm.view_ikm"

    def post(self, request, pk):
        ikm = self.get_ikm()
        contact = contacts_for(request.user, ikm, request=request, context="ikm-page")
        if contact is None:
            raise Http404
        html = render_to_string(
            "ikm/partials/contact.html", {"contact": contact, "ikm": ikm}, request=request
        )
        return HttpResponse(html)


class IkmActionView(PermissionRequiredMixin, VisibleIkmMixin, View):
    """A POST that moves an IKM through its workflow; refusals come back as messages."""

    success_message = ""

    def act(self, ikm):
        raise NotImplementedError

    def post(self, request, pk):
        ikm = self.get_ikm()
        try:
            ikm = self.act(ikm)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, self.success_message % {"name": ikm.name})
        return redirect("ikm:detail", pk=pk)


class IkmSubmitView(IkmActionView):
    permission_required = "ikm.change_ikm"

    @property
    def success_message(self):
        return _("%(name)s has been sent for verification.")

    def act(self, ikm):
        return ikm_submit(ikm=ikm, actor=self.request.user)


class IkmVerifyView(IkmActionView):
    permission_required = "ikm.verify_ikm"

    @property
    def success_message(self):
        return _("%(name)s is verified.")

    def act(self, ikm):
        return ikm_verify(ikm=ikm, actor=self.request.user)


class IkmRejectView(IkmActionView):
    permission_required = "ikm.verify_ikm"

    @property
    def success_message(self):
        return _("%(name)s has been rejected; the reason is kept.")

    def act(self, ikm):
        return ikm_reject(
            ikm=ikm, reason=self.request.POST.get("reason", ""), actor=self.request.user
        )


class IkmDeactivateView(IkmActionView):
    permission_required = "ikm.change_ikm"

    @property
    def success_message(self):
        return _("%(name)s has been deactivated.")

    def act(self, ikm):
        return ikm_deactivate(
            ikm=ikm, reason=self.request.POST.get("reason", ""), actor=self.request.user
        )


class IkmReactivateView(IkmActionView):
    permission_required = "ikm.change_ikm"

    @property
    def success_message(self):
        return _("%(name)s is active again.")

    def act(self, ikm):
        return ikm_reactivate(ikm=ikm, actor=self.request.user)


class CertificateDocumentView(PermissionRequiredMixin, View):
    """Stream a certificate's document to a user who may see the IKM; never by URL."""

    permission_required = "ikm.view_certificate"

    def get(self, request, pk):
        certificate = get_object_or_404(Certificate.objects.visible_to(request.user), pk=pk)
        if not certificate.document:
            raise Http404
        return document_response(certificate.document, f"sertifikat-{certificate.pk}")


class RegencyOptionsView(View):
    """htmx: the <option>s of the regency select for the chosen province."""

    def get(self, request):
        province = request.GET.get("province", "")
        regencies = Regency.objects.filter(province_id=province) if province else []
        return render(request, "ikm/partials/regency_options.html", {"regencies": regencies})


class SizeClassPreviewView(View):
    """htmx: the derived size classes for the workforce and investment being typed."""

    def get(self, request):
        values = {}
        fields = {
            "workforce": forms.IntegerField(min_value=0),
            "investment_value": MoneyField(),
            "annual_revenue": MoneyField(required=False),
        }
        for name, field in fields.items():
            try:
                values[name] = field.clean(request.GET.get(name, ""))
            except ValidationError:
                values[name] = None
        preview = None
        if values["workforce"] is not None and values["investment_value"] is not None:
            preview = {
                "size_class": size_class(values["workforce"], values["investment_value"]).label,
                "umkm_class": umkm_class(
                    values["investment_value"], values["annual_revenue"]
                ).label,
            }
        return render(request, "ikm/partials/size_class.html", {"size_preview": preview})
