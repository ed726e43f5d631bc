from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import BuyerProfile, Demand, LinkMatchEvent, MatchSuggestion, MoU, MouParticipant


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
class MatchSuggestionAdmin(SimpleHistoryAdmin):
    list_display = ["demand", "ikm", "rank", "score", "status"]
    list_filter = ["status"]
    list_select_related = ["demand", "ikm"]
    raw_id_fields = ["demand", "ikm"]


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
