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
from .events import LinkMatchEvent, LinkMatchEventQuerySet
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
    "LinkMatchEvent",
    "LinkMatchEventQuerySet",
    "MatchSuggestion",
    "MatchSuggestionQuerySet",
    "MatchingWeights",
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
