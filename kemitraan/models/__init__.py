"""kemitraan's models, one module per area; everything is importable from here."""

from .buyers import (
    BuyerProfile,
    BuyerProfileQuerySet,
    Demand,
    DemandQuerySet,
    MatchingWeights,
    MatchSuggestion,
    MatchSuggestionQuerySet,
)
from .events import (
    EventParticipant,
    EventParticipantQuerySet,
    EventSession,
    EventSessionQuerySet,
    LinkMatchEvent,
    LinkMatchEventQuerySet,
    Meeting,
    MeetingQuerySet,
)
from .mou import (
    MoU,
    MouParticipant,
    MouParticipantQuerySet,
    MouQuerySet,
    MouSupport,
    MouWitness,
    mou_upload_to,
)
from .realisation import Delivery, Payment, PurchaseOrder

__all__ = [
    "BuyerProfile",
    "BuyerProfileQuerySet",
    "Delivery",
    "Demand",
    "DemandQuerySet",
    "EventParticipant",
    "EventParticipantQuerySet",
    "EventSession",
    "EventSessionQuerySet",
    "LinkMatchEvent",
    "LinkMatchEventQuerySet",
    "MatchSuggestion",
    "MatchSuggestionQuerySet",
    "MatchingWeights",
    "Meeting",
    "MeetingQuerySet",
    "MoU",
    "MouParticipant",
    "MouParticipantQuerySet",
    "MouQuerySet",
    "MouSupport",
    "MouWitness",
    "Payment",
    "PurchaseOrder",
    "mou_upload_to",
]
