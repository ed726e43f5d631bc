from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    IKM,
    Certificate,
    CertificationType,
    ContactReveal,
    ImportJob,
    Kbli,
    ProcessCapability,
    Province,
    Regency,
)


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "island_group"]
    list_filter = ["island_group"]
    search_fields = ["code", "name"]


@admin.register(Regency)
class RegencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province"]
    list_filter = ["province"]
    list_select_related = ["province"]
    search_fields = ["code", "name"]


@admin.register(Kbli)
class KbliAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "title", "title_en"]


@admin.register(ProcessCapability)
class ProcessCapabilityAdmin(SimpleHistoryAdmin):
    list_display = ["slug", "name", "name_en", "is_active"]
    search_fields = ["slug", "name", "name_en"]


@admin.register(CertificationType)
class CertificationTypeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "is_active"]
    search_fields = ["code", "name"]


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0
    autocomplete_fields = ["certification_type"]


@admin.register(IKM)
class IkmAdmin(SimpleHistoryAdmin):
    list_display = ["name", "nib", "regency", "verification_status", "is_active", "is_demo"]
    list_filter = ["verification_status", "is_active", "is_demo", "province"]
    list_select_related = ["regency"]
    search_fields = ["name", "nib"]
    autocomplete_fields = ["province", "regency", "kbli", "processes"]
    readonly_fields = ["submitted_at", "verified_at", "verified_by", "created_by"]
    inlines = [CertificateInline]


@admin.register(ContactReveal)
class ContactRevealAdmin(admin.ModelAdmin):
    """Audit log of who was shown which IKM's contact data: read-only."""

    list_display = ["created_at", "user", "ikm", "ip_address", "context"]
    list_select_related = ["user", "ikm"]
    search_fields = ["ikm__name", "ikm__nib", "user__username"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["file_name", "created_by", "created_at", "status", "total_rows"]
    list_filter = ["status"]
    list_select_related = ["created_by"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]
    exclude = ["rows"]

    def has_add_permission(self, request):
        return False
