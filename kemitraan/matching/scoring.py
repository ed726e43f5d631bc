"""The one definition of the matching score, shared by the reference and the engine.

A need and a supplier first pass the hard filters (:data:`FILTERS`, in the order the
"why not?" look-up reports them). The score is then a weighted mean of components, each
between 0 and 1, over the components that apply to the need, times 100:

============== ======================================================================
process        share of the need's processes the supplier has
text           cosine similarity of the TF-IDF vectors of the need's text and the
               supplier's products, materials and processes, divided by
               ``TEXT_FULL_AT`` and capped at 1
kbli           best pair of codes: same 5-digit code 1, same group (3 digits) 0.6,
               same division (2 digits) 0.3, else 0
capacity       ``sqrt(capacity / quantity)`` capped at 1, in the same unit; 0.3 when the
               supplier's capacity is unknown or in another unit
location       same regency 1, same province 0.7, same island group 0.4, elsewhere 0.1
               (a preferred province only: in it 1, same island group 0.5, else 0.1);
               with coordinates on both sides, at least ``exp(-km / 200)``
certification  share of the preferred certifications held, valid today
quality        0.5 verified + 0.25 TKDN/100 + 0.25 min(MoU taken part in / 3, 1)
============== ======================================================================

A component applies when the need says something about it (processes, text, KBLI codes,
quantity, a preferred region or delivery point, preferred certifications); quality always
applies. The breakdown gives each component's points, which add up to the score.
"""

import math
from dataclasses import dataclass

ENGINE_VERSION = "2026.11.1"

COMPONENTS = ("process", "text", "kbli", "capacity", "location", "certification", "quality")
FILTERS = ("inactive", "status", "dismissed", "certificate", "verified_only", "tkdn")
ELIGIBLE_STATUSES = frozenset({"submitted", "verified"})

TEXT_FULL_AT = 0.5
KBLI_GROUP = 0.6
KBLI_DIVISION = 0.3
UNKNOWN_CAPACITY = 0.3
LOCATION_REGENCY = 1.0
LOCATION_PROVINCE = 0.7
LOCATION_ISLAND = 0.4
LOCATION_PROVINCE_ONLY_ISLAND = 0.5
LOCATION_ELSEWHERE = 0.1
LOCATION_UNKNOWN = 0.3
DISTANCE_SCALE_KM = 200.0
EARTH_RADIUS_KM = 6371.0
QUALITY_VERIFIED = 0.5
QUALITY_TKDN = 0.25
QUALITY_MOU = 0.25
MOU_FULL_AT = 3

# Units of quantity and capacity: (dimension, factor to the dimension's base unit).
UNITS = {
    **dict.fromkeys(
        [
            "",
            "pcs",
            "pc",
            "psc",
            "pieces",
            "piece",
            "buah",
            "bh",
            "unit",
            "units",
            "biji",
            "ea",
            "set",
            "sets",
            "pasang",
            "lembar",
            "batang",
        ],
        ("count", 1.0),
    ),
    **dict.fromkeys(["kg", "kilogram", "kilo", "kgs"], ("mass", 1.0)),
    **dict.fromkeys(["ton", "tons", "tonne", "t"], ("mass", 1000.0)),
    **dict.fromkeys(["g", "gr", "gram"], ("mass", 0.001)),
    **dict.fromkeys(["m", "meter", "metre", "mtr"], ("length", 1.0)),
    **dict.fromkeys(["l", "liter", "litre", "ltr"], ("volume", 1.0)),
}


def unit_of(unit: str) -> tuple[str, float]:
    """The dimension and factor of a free-text unit ("pcs/bln" counts as "pcs")."""
    key = (unit or "").strip().lower().split("/")[0].strip().rstrip(".")
    return UNITS.get(key, (key, 1.0))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def kbli_fit(code: str, other: str) -> float:
    if code == other:
        return 1.0
    if code[:3] == other[:3]:
        return KBLI_GROUP
    if code[:2] == other[:2]:
        return KBLI_DIVISION
    return 0.0


@dataclass(frozen=True)
class Weights:
    process: float = 25.0
    text: float = 25.0
    kbli: float = 10.0
    capacity: float = 10.0
    location: float = 10.0
    certification: float = 10.0
    quality: float = 10.0

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in COMPONENTS}

    @classmethod
    def from_dict(cls, values: dict) -> "Weights":
        return cls(**{name: float(values[name]) for name in COMPONENTS if name in values})
