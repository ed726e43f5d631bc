from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    BuyerProfile,
    Demand,
    LinkMatchEvent,
    MatchingWeights,
    MatchSuggestion,
    MoU,
    MouParticipant,
)


@admin.register(BuyerProfile)
class BuyerProfileAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "group_name", "province"]
    list_select_related = ["organisation", "province"]
    search_fields = ["organisation__name", "group_name", "brands"]


@admin.register(Demand)
class DemandAdmin(SimpleHistoryAdmin):
    list_display = ["title", "buyer", "status", "annual_value", "created_at"]
    list_filter = ["status", "verified_only"]
    list_select_related = ["buyer__organisation"]
    search_fields = ["title", "description"]
    autocomplete_fields = [
        "kbli",
        "processes",
        "required_certifications",
        "preferred_certifications",
    ]


@admin.register(MatchSuggestion)
class MatchSuggestionAdmin(admin.ModelAdmin):
    """Read-only: suggestions are computed; buyers act on them in the application."""

    list_display = ["demand", "ikm", "rank", "score", "status", "eligible", "computed_at"]
    list_filter = ["status", "eligible", "engine_version"]
    list_select_related = ["demand", "ikm"]
    raw_id_fields = ["demand", "ikm", "actioned_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MatchingWeights)
class MatchingWeightsAdmin(SimpleHistoryAdmin):
    """The one row of weights. Saving it recomputes every open need's suggestions."""

    list_display = ["__str__", *MatchingWeights.COMPONENTS, "updated_at"]

    def has_add_permission(self, request):
        return not MatchingWeights.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        from .tasks import matches_recompute_all_task

        obj.pk = 1
        super().save_model(request, obj, form, change)
        transaction.on_commit(matches_recompute_all_task.delay)


@admin.register(LinkMatchEvent)
class LinkMatchEventAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "start_date", "city"]
    list_filter = ["kind"]
    search_fields = ["name", "sector"]


class MouParticipantInline(admin.TabularInline):
    model = MouParticipant
    extra = 0
    raw_id_fields = ["ikm"]


@admin.register(MoU)
class MouAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "buyer", "status", "valid_from", "valid_until"]
    list_filter = ["status", "partnership_pattern"]
    list_select_related = ["buyer__organisation"]
    search_fields = ["number", "title"]
    inlines = [MouParticipantInline]
