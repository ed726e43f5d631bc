"""The program's figures, computed from the three domain apps for one scope.

:func:`compute` is the one place the figures are defined: the Celery job stores its result in
a snapshot (:mod:`dasbor.services`), and the page computes a filtered view with it too. The
result is plain JSON (ints, floats, strings, lists of dicts) so that it is stored as it is.

Scopes
------
* The program (Kemenperin, KADIN): every record.
* A buyer's slice: its needs, their suggestions, its meetings, its MoUs and their
  participants, purchase orders and the akad kredit financed against those MoUs. Its "IKM" are
  its partners: the IKM in its signed MoUs.
* A lender's slice: its akad kredit; the MoUs behind them and, of those, the participants it
  financed (the same MoU and IKM) and their purchase orders. Its "IKM" are its borrowers.
  Needs, suggestions and meetings are not a lender's: they are ``None`` in its slice.

Definitions (also in docs/architecture.md)
-----------------------------------------
* IKM registered: active, submitted or verified (what buyers find in the directory).
* Suggestions kept: shortlisted or contacted; contacted is part of kept.
* Meetings held: confirmed, started by now.
* MoU signed: has a signing date (signed, active, expired or ended since); MoU in force:
  signed or active. Committed market access (Rp/year): the participants of MoUs in force.
* Realisation: Σ purchase orders under MoUs in force / their committed market access.
* Akad in process: awaiting decision or approved (Σ plafon); signed: signed, disbursed,
  repaying or paid off (Σ plafon); disbursed: Σ tranches.
* Closed loop complete: IKM in an MoU in force that hold a signed akad kredit; the others in
  an MoU in force have "MoU, no credit yet".
* TKDN of partnered IKM: of the IKM in MoUs in force, those with a TKDN value, its mean, and
  how many reach 40 % (the threshold of Perpres 46/2025).

Filters narrow every figure to what concerns a province or a KBLI division (of the IKM
involved), a Link & Match event (of the MoU, meeting, or event registration), or a period (the
figure's own date: registration, signing, application, order, tranche). A figure a filter
cannot apply to (needs have no sector) is ``None``, shown as "—".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr, TruncMonth
from django.utils import timezone

from ikm.filters import kbli_in_division
from ikm.models import IKM, Province
from ikm.size_class import SizeClass
from kemitraan.models import (
    BuyerProfile,
    Demand,
    EventParticipant,
    LinkMatchEvent,
    MatchSuggestion,
    Meeting,
    MoU,
    MouParticipant,
    PurchaseOrder,
)
from pembiayaan.models import AkadKredit, CreditScheme, Disbursement, LenderProfile

TKDN_THRESHOLD = 40

PROGRAM, BUYER, LENDER = "program", "buyer", "lender"


@dataclass(frozen=True)
class Filters:
    """What the page's filter form narrows the figures to; all optional."""

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    province: str | None = None  # "32"
    sector: str | None = None  # KBLI division, "29"
    event: int | None = None

    def __bool__(self):
        return any(
            value is not None
            for value in (self.date_from, self.date_to, self.province, self.sector, self.event)
        )

    def as_dict(self) -> dict:
        return {
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "province": self.province,
            "sector": self.sector,
            "event": self.event,
        }


@dataclass(frozen=True)
class Scope:
    """Whose figures: the program's, or one buyer's or lender's organisation."""

    kind: str = PROGRAM
    organisation_id: int | None = None
    filters: Filters = field(default_factory=Filters)

    @classmethod
    def for_organisation(cls, organisation, filters: Filters | None = None) -> Scope:
        kind = BUYER if organisation.is_buyer else LENDER if organisation.is_lender else None
        if kind is None:
            raise ValueError("Only buyers and lenders have a slice of the figures.")
        return cls(kind, organisation.pk, filters or Filters())

    @cached_property
    def profile_id(self) -> int | None:
        """The buyer's or lender's profile id: filtering on it avoids a join per query."""
        if self.kind == BUYER:
            model = BuyerProfile
        elif self.kind == LENDER:
            model = LenderProfile
        else:
            return None
        return (
            model.objects.filter(organisation_id=self.organisation_id)
            .values_list("pk", flat=True)
            .first()
        )

    # --- what each filter means for each kind of record ---------------------------------

    def _ikm_q(self, prefix: str = "") -> Q:
        """Province, sector and event of the IKM behind a record (``prefix`` leads to it)."""
        f = self.filters
        q = Q()
        if f.province:
            q &= Q(**{f"{prefix}province_id": f.province})
        if f.sector:
            ikm = OuterRef(f"{prefix}pk" if prefix else "pk")
            q &= Q(Exists(kbli_in_division(f.sector, ikm)))
        return q

    def _period_q(self, date_field: str, is_datetime: bool = False) -> Q:
        f = self.filters
        lookup = f"{date_field}__date" if is_datetime else date_field
        q = Q()
        if f.date_from:
            q &= Q(**{f"{lookup}__gte": f.date_from})
        if f.date_to:
            q &= Q(**{f"{lookup}__lte": f.date_to})
        return q

    # --- the scoped record sets -----------------------------------------------------------

    def _lender_akad(self):
        """The lender's akad that finance (or may still finance) an IKM: not the rejected
        or cancelled applications."""
        return AkadKredit.objects.filter(lender_id=self.profile_id).exclude(
            status__in=[AkadKredit.Status.REJECTED, AkadKredit.Status.CANCELLED]
        )

    def ikm(self):
        """The scope's IKM (filters other than the period applied)."""
        if self.kind == PROGRAM:
            qs = IKM.objects.filter(is_active=True, verification_status__in=IKM.REGISTERED_STATUSES)
        elif self.kind == BUYER:
            partners = MouParticipant.objects.filter(
                mou__buyer_id=self.profile_id,
                mou__signing_date__isnull=False,
            ).values("ikm_id")
            qs = IKM.objects.filter(pk__in=partners)
        else:
            qs = IKM.objects.filter(pk__in=self._lender_akad().values("borrower_id"))
        qs = qs.filter(self._ikm_q())
        if self.filters.event:
            registered = EventParticipant.objects.approved().filter(
                event_id=self.filters.event, ikm_id=OuterRef("pk")
            )
            qs = qs.filter(Exists(registered))
        return qs

    def buyers(self):
        if self.kind != PROGRAM or self.filters.sector:
            return None
        qs = BuyerProfile.objects.all()
        if self.filters.province:
            qs = qs.filter(province_id=self.filters.province)
        if self.filters.event:
            qs = qs.filter(
                Exists(
                    EventParticipant.objects.approved().filter(
                        event_id=self.filters.event, buyer_id=OuterRef("pk")
                    )
                )
            )
        return qs.filter(self._period_q("organisation__created_at", is_datetime=True))

    def demands(self):
        if self.kind == LENDER or self.filters.sector or self.filters.event:
            return None
        qs = Demand.objects.all()
        if self.kind == BUYER:
            qs = qs.filter(buyer_id=self.profile_id)
        if self.filters.province:
            qs = qs.filter(province_id=self.filters.province)
        return qs.filter(self._period_q("created_at", is_datetime=True))

    def suggestions(self):
        if self.kind == LENDER or self.filters.event:
            return None
        qs = MatchSuggestion.objects.all()
        if self.kind == BUYER:
            qs = qs.filter(demand__buyer_id=self.profile_id)
        return qs.filter(self._ikm_q("ikm__")).filter(
            self._period_q("demand__created_at", is_datetime=True)
        )

    def meetings(self):
        if self.kind == LENDER:
            return None
        qs = Meeting.objects.all()
        if self.kind == BUYER:
            qs = qs.filter(buyer_id=self.profile_id)
        if self.filters.event:
            qs = qs.filter(event_id=self.filters.event)
        return qs.filter(self._ikm_q("ikm__")).filter(self._period_q("starts_at", is_datetime=True))

    def participants(self, *, period: bool = True):
        """MoU participants (every MoU status); the period (unless ``period`` is false) is
        the MoU's signing date."""
        qs = MouParticipant.objects.all()
        if self.kind == BUYER:
            qs = qs.filter(mou__buyer_id=self.profile_id)
        elif self.kind == LENDER:
            financed = self._lender_akad().filter(
                mou_id=OuterRef("mou_id"), borrower_id=OuterRef("ikm_id")
            )
            qs = qs.filter(Exists(financed))
        if self.filters.event:
            qs = qs.filter(mou__event_id=self.filters.event)
        qs = qs.filter(self._ikm_q("ikm__"))
        return qs.filter(self._period_q("mou__signing_date")) if period else qs

    def mous(self):
        """MoUs with at least one participant in scope (or, without IKM filters, every MoU
        of the scope: a draft may have no participant yet)."""
        qs = MoU.objects.all()
        if self.kind == BUYER:
            qs = qs.filter(buyer_id=self.profile_id)
        elif self.kind == LENDER:
            qs = qs.filter(pk__in=self._lender_akad().values("mou_id"))
        if self.filters.event:
            qs = qs.filter(event_id=self.filters.event)
        if self.filters.province or self.filters.sector or self.kind == LENDER:
            qs = qs.filter(pk__in=self.participants().values("mou_id"))
        return qs.filter(self._period_q("signing_date"))

    def purchase_orders(self):
        """Orders under the scope's participants (whenever their MoU was signed); the
        period is the order date."""
        qs = PurchaseOrder.objects.filter(participant__in=self.participants(period=False))
        return qs.filter(self._period_q("order_date"))

    def akad(self):
        """Akad kredit in scope, before the period (each figure has its own date)."""
        qs = AkadKredit.objects.all()
        if self.kind == BUYER:
            qs = qs.filter(mou__buyer_id=self.profile_id)
        elif self.kind == LENDER:
            qs = qs.filter(lender_id=self.profile_id)
        if self.filters.event:
            qs = qs.filter(mou__event_id=self.filters.event)
        return qs.filter(self._ikm_q("borrower__"))

    def disbursements(self):
        return Disbursement.objects.filter(akad__in=self.akad()).filter(
            self._period_q("disbursed_on")
        )


# --- helpers ---------------------------------------------------------------------------


def _sum(qs, field_name: str) -> int:
    return int(qs.aggregate(total=Coalesce(Sum(field_name), 0))["total"])


def _percent(part, whole) -> float | None:
    if not whole:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return float(value)


def _month_key(value) -> str:
    return f"{value:%Y-%m}"


def _trend_months(first: datetime.date | None, last: datetime.date) -> list[str]:
    """The months from ``first`` to ``last`` ("YYYY-MM"): at least 12, at most 60 (the
    most recent)."""
    first = first or last
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    count = min(max(span, 12), 60)
    year, month = last.year, last.month - count + 1
    while month < 1:
        year, month = year - 1, month + 12
    months = []
    for _index in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# --- the figures -----------------------------------------------------------------------


def compute(
    scope: Scope | None = None,
    *,
    now: datetime.datetime | None = None,
    reference: dict | None = None,
) -> dict:
    """Every figure of the dashboard for ``scope`` (the program's when omitted).
    ``reference`` (from :func:`reference_names`) saves reading the names for each scope."""
    scope = scope or Scope()
    reference = reference or reference_names()
    now = now or timezone.now()
    today = timezone.localdate(now)
    figures: dict = {"scope": scope.kind, "filters": scope.filters.as_dict()}
    figures.update(_ikm_figures(scope, reference["provinces"]))
    figures.update(_matching_figures(scope, now))
    figures.update(_mou_figures(scope))
    figures.update(_akad_figures(scope, reference))
    figures.update(_loop_figures(scope))
    figures["funnel"] = _funnel(scope, figures, now)
    figures["monthly"] = _monthly(scope, today)
    return figures


def _ikm_figures(scope: Scope, provinces: dict) -> dict:
    """``provinces``: their names by code (:func:`reference_names`)."""
    ikm = scope.ikm().filter(scope._period_q("created_at", is_datetime=True))
    verified = Q(verification_status=IKM.Status.VERIFIED)
    counts = ikm.aggregate(total=Count("pk"), verified=Count("pk", filter=verified))
    by_province = [
        {
            "code": row["province_id"],
            "name": provinces.get(row["province_id"], row["province_id"]),
            "total": row["total"],
            "verified": row["verified"],
        }
        for row in ikm.order_by()
        .values("province_id")
        .annotate(total=Count("pk"), verified=Count("pk", filter=verified))
        .order_by("-total", "province_id")
    ]
    links = IKM.kbli.through.objects.filter(ikm__in=ikm).annotate(division=Substr("kbli_id", 1, 2))
    by_division = [
        {"code": row["division"], "total": row["total"], "verified": row["verified"]}
        for row in links.order_by()
        .values("division")
        .annotate(
            total=Count("ikm_id", distinct=True),
            verified=Count("ikm_id", distinct=True, filter=Q(ikm__verification_status="verified")),
        )
        .order_by("-total", "division")
    ]
    sizes = {
        row["size_class_code"]: row
        for row in ikm.with_size_class()
        .order_by()
        .values("size_class_code")
        .annotate(total=Count("pk"), verified=Count("pk", filter=verified))
    }
    by_size = [
        {
            "code": size.value,
            "total": sizes.get(size.value, {}).get("total", 0),
            "verified": sizes.get(size.value, {}).get("verified", 0),
        }
        for size in SizeClass
    ]
    return {
        "ikm_total": counts["total"],
        "ikm_verified": counts["verified"],
        "ikm_by_province": by_province,
        "ikm_by_division": by_division,
        "ikm_by_size": by_size,
    }


def _matching_figures(scope: Scope, now) -> dict:
    buyers = scope.buyers()
    demands = scope.demands()
    suggestions = scope.suggestions()
    meetings = scope.meetings()
    result = {
        "buyers_total": buyers.count() if buyers is not None else None,
        "demands_open": (
            demands.filter(status=Demand.Status.OPEN).count() if demands is not None else None
        ),
        "suggestions_made": None,
        "suggestions_shortlisted": None,
        "suggestions_contacted": None,
        "meetings_held": None,
    }
    if suggestions is not None:
        kept = Q(status__in=[MatchSuggestion.Status.SHORTLISTED, MatchSuggestion.Status.CONTACTED])
        result.update(
            suggestions.aggregate(
                suggestions_made=Count("pk"),
                suggestions_shortlisted=Count("pk", filter=kept),
                suggestions_contacted=Count(
                    "pk", filter=Q(status=MatchSuggestion.Status.CONTACTED)
                ),
            )
        )
    if meetings is not None:
        result["meetings_held"] = meetings.filter(
            status=Meeting.Status.CONFIRMED, starts_at__lte=now
        ).count()
    return result


def _mou_figures(scope: Scope) -> dict:
    mous = scope.mous()
    counts = mous.aggregate(
        signed=Count("pk", filter=Q(signing_date__isnull=False) & ~Q(status=MoU.Status.DRAFT)),
        in_force=Count("pk", filter=Q(status__in=MoU.IN_FORCE_STATUSES)),
    )
    in_force = scope.participants().filter(mou__status__in=MoU.IN_FORCE_STATUSES)
    market_access = _sum(in_force, "committed_market_access")
    by_buyer = [
        {
            "id": row["mou__buyer_id"],
            "name": row["mou__buyer__organisation__name"],
            "mou": row["mou"],
            "ikm": row["ikm"],
            "amount": int(row["amount"] or 0),
        }
        for row in in_force.order_by()
        .values("mou__buyer_id", "mou__buyer__organisation__name")
        .annotate(
            mou=Count("mou_id", distinct=True),
            ikm=Count("ikm_id", distinct=True),
            amount=Sum("committed_market_access"),
        )
        .order_by("-amount", "mou__buyer__organisation__name")
    ]
    by_province = [
        {
            "code": row["ikm__province_id"],
            "name": row["ikm__province__name"],
            "ikm": row["ikm"],
            "amount": int(row["amount"] or 0),
        }
        for row in in_force.order_by()
        .values("ikm__province_id", "ikm__province__name")
        .annotate(ikm=Count("ikm_id", distinct=True), amount=Sum("committed_market_access"))
        .order_by("-amount", "ikm__province_id")
    ]
    by_event = [
        {
            "id": row["mou__event_id"],
            "name": row["mou__event__name"],
            "mou": row["mou"],
            "amount": int(row["amount"] or 0),
        }
        for row in in_force.order_by()
        .values("mou__event_id", "mou__event__name")
        .annotate(mou=Count("mou_id", distinct=True), amount=Sum("committed_market_access"))
        .order_by("-amount", "mou__event__name")
    ]
    orders = scope.purchase_orders()
    po = orders.aggregate(n=Count("pk"), value=Coalesce(Sum("value"), 0))
    ordered_in_force = _sum(
        orders.filter(participant__mou__status__in=MoU.IN_FORCE_STATUSES), "value"
    )
    return {
        "mou_signed": counts["signed"],
        "mou_active": counts["in_force"],
        "mou_ikm": in_force.values("ikm_id").distinct().count(),
        "market_access_per_year": market_access,
        "market_access_by_buyer": by_buyer,
        "market_access_by_province": by_province,
        "market_access_by_event": by_event,
        "po_count": po["n"],
        "po_value": int(po["value"]),
        "po_value_in_force": ordered_in_force,
        "realisation_pct": _percent(ordered_in_force, market_access),
    }


def _akad_figures(scope: Scope, reference: dict) -> dict:
    """Akad in process and signed, and the tranches: two grouped queries, summed here into
    the totals and the breakdowns by lender, scheme and the borrower's province."""
    stage = Case(
        When(
            Q(status__in=AkadKredit.PIPELINE_STATUSES) & scope._period_q("applied_on"),
            then=Value("pipeline"),
        ),
        When(
            Q(status__in=AkadKredit.SIGNED_STATUSES) & scope._period_q("signed_on"),
            then=Value("signed"),
        ),
        default=Value(""),
        output_field=CharField(),
    )
    groups = (
        scope.akad()
        .annotate(stage=stage)
        .exclude(stage="")
        .order_by()
        .values("stage", "lender_id", "scheme_id", "borrower__province_id")
        .annotate(n=Count("pk"), amount=Sum("plafon"))
    )
    tranches = (
        scope.disbursements()
        .order_by()
        .values("akad__lender_id", "akad__scheme_id", "akad__borrower__province_id")
        .annotate(n=Count("akad_id", distinct=True), amount=Sum("amount"))
    )
    dimensions = {
        "akad_by_lender": ("lender_id", reference["lenders"]),
        "akad_by_scheme": ("scheme_id", reference["schemes"]),
        "akad_by_province": ("borrower__province_id", reference["provinces"]),
    }
    rows: dict = {name: {} for name in dimensions}
    totals = {
        "akad_pipeline_count": 0,
        "akad_pipeline_amount": 0,
        "akad_signed_count": 0,
        "akad_signed_amount": 0,
        "akad_disbursed_count": 0,
        "akad_disbursed_amount": 0,
    }

    def add(row: dict, prefix: str, stage_name: str):
        count, amount = row["n"], int(row["amount"] or 0)
        totals[f"akad_{stage_name}_count"] += count
        totals[f"akad_{stage_name}_amount"] += amount
        for name, (path, names) in dimensions.items():
            key = row[prefix + path]
            entry = rows[name].setdefault(key, _empty_breakdown(key, names))
            entry[f"{stage_name}_count"] += count
            entry[f"{stage_name}_amount"] += amount

    for row in groups:
        add(row, "", row["stage"])
    for row in tranches:
        add(row, "akad__", "disbursed")
    for name in dimensions:
        totals[name] = sorted(
            rows[name].values(),
            key=lambda r: (-r["signed_amount"], -r["pipeline_amount"], str(r["name"])),
        )
    return totals


def reference_names() -> dict:
    """Names of lenders, schemes and provinces, read once per snapshot."""
    return {
        "lenders": {
            lender.pk: lender.short_name or lender.organisation.name
            for lender in LenderProfile.objects.select_related("organisation")
        },
        "schemes": dict(CreditScheme.objects.values_list("pk", "name")),
        "provinces": dict(Province.objects.values_list("code", "name")),
    }


def _empty_breakdown(key, names: dict) -> dict:
    return {
        "id": key,
        "name": names.get(key, key),
        "pipeline_count": 0,
        "pipeline_amount": 0,
        "signed_count": 0,
        "signed_amount": 0,
        "disbursed_count": 0,
        "disbursed_amount": 0,
    }


def _loop_figures(scope: Scope) -> dict:
    in_force = scope.participants().filter(mou__status__in=MoU.IN_FORCE_STATUSES)
    partnered = IKM.objects.filter(pk__in=in_force.values("ikm_id"))
    credited = scope.akad().filter(status__in=AkadKredit.SIGNED_STATUSES)
    has_credit = Exists(credited.filter(borrower_id=OuterRef("pk")))
    loop = partnered.aggregate(
        closed=Count("pk", filter=Q(has_credit)),
        open=Count("pk", filter=~Q(has_credit)),
        tkdn_known=Count("pk", filter=Q(tkdn__isnull=False)),
        tkdn_average=Avg("tkdn"),
        tkdn_threshold=Count("pk", filter=Q(tkdn__gte=TKDN_THRESHOLD)),
    )
    average = loop["tkdn_average"]
    return {
        "closed_loop_ikm": loop["closed"],
        "mou_without_credit_ikm": loop["open"],
        "tkdn_known": loop["tkdn_known"],
        "tkdn_average": (
            float(Decimal(average).quantize(Decimal("0.1"), ROUND_HALF_UP))
            if average is not None
            else None
        ),
        "tkdn_40_plus": loop["tkdn_threshold"],
    }


def _funnel(scope: Scope, figures: dict, now) -> list[dict]:
    """Distinct IKM at each step: registered → suggested → met → MoU → credit (closed loop)."""
    suggestions = scope.suggestions()
    meetings = scope.meetings()
    return [
        {"step": "registered", "ikm": figures["ikm_total"] if scope.kind == PROGRAM else None},
        {
            "step": "suggested",
            "ikm": (
                suggestions.values("ikm_id").distinct().count() if suggestions is not None else None
            ),
        },
        {
            "step": "met",
            "ikm": (
                meetings.filter(status=Meeting.Status.CONFIRMED, starts_at__lte=now)
                .values("ikm_id")
                .distinct()
                .count()
                if meetings is not None
                else None
            ),
        },
        {"step": "mou", "ikm": figures["mou_ikm"]},
        {"step": "credit", "ikm": figures["closed_loop_ikm"]},
    ]


MONTHLY_KEYS = (
    "ikm_registered",
    "mou_signed",
    "market_access",
    "akad_signed_count",
    "akad_signed_amount",
    "akad_disbursed_amount",
    "po_value",
)


def _monthly(scope: Scope, today: datetime.date) -> list[dict]:
    """Month by month over the chosen period, or from the scope's first signing or order
    (the program's start) to this month."""
    series: dict[str, dict[str, int]] = {}

    def add(qs, date_field: str, **aggregates):
        for row in (
            qs.annotate(month=TruncMonth(date_field))
            .order_by()
            .values("month")
            .annotate(**aggregates)
        ):
            if row["month"] is None:
                continue
            entry = series.setdefault(_month_key(row["month"]), dict.fromkeys(MONTHLY_KEYS, 0))
            for name in aggregates:
                entry[name] += int(row[name] or 0)

    add(
        scope.ikm().filter(scope._period_q("created_at", is_datetime=True)),
        "created_at",
        ikm_registered=Count("pk"),
    )
    add(
        scope.mous().exclude(status=MoU.Status.DRAFT).filter(signing_date__isnull=False),
        "signing_date",
        mou_signed=Count("pk"),
    )
    add(
        scope.participants()
        .exclude(mou__status=MoU.Status.DRAFT)
        .filter(mou__signing_date__isnull=False),
        "mou__signing_date",
        market_access=Sum("committed_market_access"),
    )
    add(
        scope.akad()
        .filter(status__in=AkadKredit.SIGNED_STATUSES)
        .filter(scope._period_q("signed_on")),
        "signed_on",
        akad_signed_count=Count("pk"),
        akad_signed_amount=Sum("plafon"),
    )
    add(scope.disbursements(), "disbursed_on", akad_disbursed_amount=Sum("amount"))
    add(scope.purchase_orders(), "order_date", po_value=Sum("value"))

    first = scope.filters.date_from
    if first is None:
        started = [
            month
            for month, entry in series.items()
            if entry["mou_signed"] or entry["akad_signed_count"] or entry["po_value"]
        ]
        if started:
            first = datetime.date(int(min(started)[:4]), int(min(started)[5:]), 1)
    months = _trend_months(first, scope.filters.date_to or today)
    return [
        {"month": month, **series.get(month, dict.fromkeys(MONTHLY_KEYS, 0))} for month in months
    ]


def filter_choices() -> dict:
    """What the filter form offers besides the sectors: provinces and events."""
    return {
        "provinces": list(Province.objects.order_by("name").values_list("code", "name")),
        "events": list(LinkMatchEvent.objects.order_by("-start_date").values_list("pk", "name")),
    }


__all__ = ["BUYER", "LENDER", "PROGRAM", "Filters", "Scope", "compute", "filter_choices"]
