from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Notification, Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "organisation", "is_active", "is_staff"]
    list_filter = ["groups", "is_active", "is_staff"]
    list_select_related = ["organisation"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Organisation"), {"fields": ("organisation", "phone")}),
    )
    autocomplete_fields = ["organisation"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notifications are written by notify() and the send task."""

    list_display = ["subject", "user", "kind", "created_at", "sent_at"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter), "created_at"]
    list_select_related = ["user"]
    search_fields = ["subject", "user__username"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "user",
        "kind",
        "subject",
        "body",
        "url",
        "created_at",
        "sent_at",
        "email_to",
        "error",
        "dedupe_key",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
