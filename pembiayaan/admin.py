from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AkadKredit, Collateral, CreditScheme, Disbursement, LenderProfile


@admin.register(LenderProfile)
class LenderProfileAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "short_name"]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name", "short_name"]


@admin.register(CreditScheme)
class CreditSchemeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "min_plafon", "max_plafon", "max_rate", "is_active"]
    list_filter = ["kind", "is_active"]


class ReadOnlyInline(admin.TabularInline):
    """Collateral and tranches change through the lender's screens (the services' rules),
    not here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CollateralInline(ReadOnlyInline):
    model = Collateral
    fields = ["kind", "description", "value", "binding"]


class DisbursementInline(ReadOnlyInline):
    model = Disbursement
    fields = ["disbursed_on", "amount", "note", "created_by"]


@admin.register(AkadKredit)
class AkadKreditAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "lender", "borrower", "scheme", "plafon", "status", "signed_on"]
    list_filter = ["status", "scheme", "lender"]
    list_select_related = ["lender__organisation", "borrower", "scheme"]
    search_fields = ["akad_number", "application_number", "borrower__name"]
    raw_id_fields = ["borrower", "mou", "purchase_orders"]
    inlines = [CollateralInline, DisbursementInline]
