"""The audit page (``/dasbor/audit/``): who changed what, when and from where, and who opened
which IKM's contact data. Kemenperin staff, KADIN admins and superusers read it; other roles
are refused (403).

Its URLs carry only ids, keys and dates (the user filter is a user id), never personal data.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.roles import Role

from . import audit
from .forms import PeriodFilterForm


def can_read_audit(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.has_role(Role.KEMENPERIN, Role.KADIN)
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.organisation_id:
            return f"{obj.username} ({obj.organisation.name})"
        return obj.username


class AuditFilterForm(PeriodFilterForm):
    field_order = ["kind", "user", "action", "date_from", "date_to"]

    kind = forms.ChoiceField(label=gettext_lazy("Kind of record"), required=False)
    user = UserChoiceField(
        label=gettext_lazy("User"),
        required=False,
        queryset=get_user_model().objects.select_related("organisation").order_by("username"),
    )
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            ("created", gettext_lazy("Created")),
            ("changed", gettext_lazy("Changed")),
            ("deleted", gettext_lazy("Deleted")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All")), *audit.kind_choices()]
        self.fields["user"].empty_label = _("All")

    def filters(self) -> audit.AuditFilters:
        """The chosen filters; none when the form is unbound or invalid."""
        if not self.is_bound or not self.is_valid():
            return audit.AuditFilters()
        data = self.cleaned_data
        return audit.AuditFilters(
            kind=data.get("kind") or None,
            user_id=data["user"].pk if data.get("user") else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            action=audit.ACTIONS.get(data.get("action") or ""),
        )


class AuditView(LoginRequiredMixin, TemplateView):
    template_name = "dasbor/audit.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_read_audit(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = {k: v for k, v in self.request.GET.items() if k != "before" and v}
        form = AuditFilterForm(params or None)
        after = audit.Cursor.decode(self.request.GET.get("before"))
        page = audit.audit_page(form.filters(), after=after)
        query = urlencode(params)
        next_url = ""
        if page.next_cursor is not None:
            next_url = "?" + urlencode({**params, "before": page.next_cursor.encode()})
        context.update(
            title=_("Audit trail"),
            form=form,
            entries=page.entries,
            next_url=next_url,
            first_url="?" + query if after is not None else "",
        )
        return context
