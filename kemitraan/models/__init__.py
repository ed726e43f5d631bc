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
from .mou import MoU, MouParticipant, MouParticipantQuerySet, MouQuerySet, mou_upload_to

__all__ = [
    "BuyerProfile",
    "BuyerProfileQuerySet",
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
    "mou_upload_to",
]
