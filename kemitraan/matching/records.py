"""Plain records of what the engine compares: no Django, so the engine, its reference and
the evaluation set run on the same inputs however they were loaded (:mod:`.loading`)."""

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Certificate:
    code: str
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None

    def valid_on(self, day: datetime.date) -> bool:
        """A certificate without dates counts as held (the registry's convention)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or self.valid_until >= day
        )


@dataclass(frozen=True)
class IkmRecord:
    """A supplier as the engine sees it."""

    id: int
    text: str  # products, materials and process names
    processes: frozenset[str] = frozenset()
    kbli: frozenset[str] = frozenset()
    certificates: tuple[Certificate, ...] = ()
    monthly_capacity: float | None = None
    capacity_unit: str = ""
    regency: str = ""
    province: str = ""
    island_group: str = ""
    latitude: float | None = None
    longitude: float | None = None
    is_active: bool = True
    status: str = "verified"  # draft, submitted, verified, rejected
    tkdn: float | None = None
    mou_count: int = 0
    name: str = ""

    def valid_certificates(self, day: datetime.date) -> frozenset[str]:
        return frozenset(c.code for c in self.certificates if c.valid_on(day))


@dataclass(frozen=True)
class NeedRecord:
    """A procurement need as the engine sees it."""

    id: int
    text: str  # title and description
    processes: frozenset[str] = frozenset()
    kbli: frozenset[str] = frozenset()
    required_certifications: frozenset[str] = frozenset()
    preferred_certifications: frozenset[str] = frozenset()
    quantity_per_month: float | None = None
    unit: str = ""
    regency: str = ""  # preferred regency code, "" for none
    province: str = ""  # preferred province (the regency's when a regency is given)
    island_group: str = ""  # of the preferred province
    latitude: float | None = None
    longitude: float | None = None
    min_tkdn: float | None = None
    verified_only: bool = False
    excluded: frozenset[int] = field(default_factory=frozenset)  # dismissed IKM ids


def signature(record: IkmRecord | NeedRecord) -> str:
    """A stable fingerprint of everything in a record (sets sorted), for telling whether a
    stored suggestion was computed from the same inputs."""
    import hashlib

    parts = []
    for name in record.__dataclass_fields__:
        value = getattr(record, name)
        if isinstance(value, frozenset):
            value = sorted(value)
        elif name == "certificates":
            value = sorted((c.code, str(c.valid_from), str(c.valid_until)) for c in value)
        parts.append(value)
    return hashlib.md5(repr(parts).encode(), usedforsecurity=False).hexdigest()
