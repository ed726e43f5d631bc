"""The dashboard's hand-built program (small enough to count on paper) and a clean Redis state.

Hand-counted facts the tests rely on (the figures are derived from these in each test):

IKM (province, KBLI, size class, status, TKDN, registered on):
  I1  32 Jawa Barat   29300         kecil    verified   45   2025-01-10
  I2  32 Jawa Barat   29300 25920   menengah verified   30   2025-02-05
  I3  33 Jawa Tengah  25910         kecil    submitted  —    2025-02-20
  I4  35 Jawa Timur   29300         besar    verified   60   2025-03-01
  I5  35 Jawa Timur   29300         menengah submitted  40   2025-04-02
  I6  32 draft, I7 35 rejected, I8 33 verified but inactive: not registered.
Buyers: B1 "PT Pembeli Satu" (32, org created 2025-01-05), B2 "PT Pembeli Dua" (35, 2025-04-03).
Lenders: L1 "PT Bank Satu" (short name "Bank Satu"), L2 "PT Multi Dua" (no short name).
Events: E1 (IKM I1, I3 approved, I2 requested; B1 approved, B2 rejected), E2 (I4 approved).
Needs: D1 B1 open (32, 2025-02-01), D2 B2 closed (35, 2025-04-01).
Suggestions: D1-I1 shortlisted, D1-I2 contacted, D1-I3 suggested, D2-I4 dismissed, D2-I1 suggested.
Meetings: M1 E1 B1-I1 confirmed 2025-05-10 (past), M2 E1 B1-I2 confirmed 2025-07-01 (future),
  M3 E1 B2-I3 cancelled 2025-05-10, M4 E2 B2-I4 confirmed 2025-05-20 (past). Now: 2025-06-15.
MoUs: A B1 active signed 2025-03-10 event E1: I1 1.0 M, I2 0.5 M (Rp miliar per year)
      B B2 signed signed 2025-04-05 no event: I4 2.0 M, I3 0.35 M
      C B1 expired signed 2024-01-15: I5 0.8 M
      D B2 draft: I1 0.4 M
POs: PO1 A-I1 2025-04-10 200 jt, PO2 A-I1 2025-05-10 100 jt, PO3 B-I4 2025-05-20 500 jt,
     PO4 C-I5 2024-06-01 400 jt.
Akad: K1 L1 I1 kmk MoU A 600 jt disbursed (applied 03-20, signed 2025-04-01),
        tranches 2025-04-05 300 jt + 2025-05-05 200 jt
      K2 L1 I4 ki  MoU B 1.000 jt signed (applied 04-10, signed 2025-04-20)
      K3 L2 I2 kmk MoU A 400 jt pipeline (applied 2025-04-25)
      K4 L2 I3 ki  MoU B 250 jt approved (applied 2025-05-15)
      K5 L2 I5 kmk MoU C 300 jt paid off (signed 2024-02-15), tranche 2024-02-20 300 jt
      K6 L1 I1 kmk no MoU 150 jt rejected (applied 2025-02-01)
      K7 L1 I5 kmk MoU C 200 jt rejected (applied 2024-01-20): L1's officer sees MoU C,
        which is not in L1's figures
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from accounts.roles import Role
from dasbor import services
from ikm.models import IKM, Regency
from kemitraan.models import (
    BuyerProfile,
    Demand,
    EventParticipant,
    EventSession,
    LinkMatchEvent,
    MatchSuggestion,
    Meeting,
    MoU,
    MouParticipant,
    PurchaseOrder,
)
from pembiayaan.models import AkadKredit, CreditScheme, Disbursement, LenderProfile

from ..factories import IkmFactory, OrganisationFactory, UserFactory

JAKARTA = ZoneInfo("Asia/Jakarta")
NOW = datetime.datetime(2025, 6, 15, 12, 0, tzinfo=JAKARTA)
JT = 1_000_000  # juta
M = 1_000_000_000  # miliar


def at(year, month, day, hour=9, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


def _delete_filtered_figures():
    """The filtered figures are cached per snapshot id; ids repeat from one test database to
    the next, so a previous run's figures must not be read."""
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=cache.make_key("dasbor:filtered:*")):
        client.delete(key)


@pytest.fixture(autouse=True)
def clean_dashboard_cache():
    keys = [services.PENDING_KEY, services.STALE_KEY, services.LOCK_KEY]
    cache.delete_many(keys)
    _delete_filtered_figures()
    yield
    cache.delete_many(keys)
    _delete_filtered_figures()


def _ikm(name, regency, kbli, status, workforce, investment, tkdn, registered, **extra):
    ikm = IkmFactory(
        name=name,
        regency=Regency.objects.get(code=regency),
        kbli=kbli,
        verification_status=status,
        workforce=workforce,
        investment_value=investment,
        tkdn=tkdn,
        **extra,
    )
    IKM.objects.filter(pk=ikm.pk).update(created_at=registered)
    ikm.refresh_from_db()
    return ikm


@pytest.fixture
def program(db):
    """The hand-built program of the module docstring."""
    p = SimpleNamespace()

    # --- organisations ---
    p.b1_org = OrganisationFactory(name="PT Pembeli Satu", kind="apm")
    p.b2_org = OrganisationFactory(name="PT Pembeli Dua", kind="tier1")
    p.l1_org = OrganisationFactory(name="PT Bank Satu", kind="bank")
    p.l2_org = OrganisationFactory(name="PT Multi Dua", kind="multifinance")
    organiser = OrganisationFactory(name="Kemenperin Penyelenggara", kind="kemenperin")
    type(p.b1_org).objects.filter(pk=p.b1_org.pk).update(created_at=at(2025, 1, 5))
    type(p.b2_org).objects.filter(pk=p.b2_org.pk).update(created_at=at(2025, 4, 3))
    BuyerProfile.objects.filter(organisation=p.b1_org).update(province_id="32")
    BuyerProfile.objects.filter(organisation=p.b2_org).update(province_id="35")
    p.b1 = BuyerProfile.objects.get(organisation=p.b1_org)
    p.b2 = BuyerProfile.objects.get(organisation=p.b2_org)
    LenderProfile.objects.filter(organisation=p.l1_org).update(short_name="Bank Satu")
    p.l1 = LenderProfile.objects.get(organisation=p.l1_org)
    p.l2 = LenderProfile.objects.get(organisation=p.l2_org)

    # --- IKM ---
    p.i1 = _ikm("CV Satu", "32.16", ["29300"], "verified", 12, 500 * JT, 45, at(2025, 1, 10))
    p.i2 = _ikm("CV Dua", "32.16", ["29300", "25920"], "verified", 30, 2 * M, 30, at(2025, 2, 5))
    p.i3 = _ikm("CV Tiga", "33.74", ["25910"], "submitted", 8, 300 * JT, None, at(2025, 2, 20))
    p.i4 = _ikm("PT Empat", "35.15", ["29300"], "verified", 100, 20 * M, 60, at(2025, 3, 1))
    p.i5 = _ikm("CV Lima", "35.15", ["29300"], "submitted", 10, 1500 * JT, 40, at(2025, 4, 2))
    p.i6 = _ikm("CV Enam", "32.16", ["29300"], "draft", 5, 100 * JT, 90, at(2025, 3, 5))
    p.i7 = _ikm(
        "CV Tujuh",
        "35.15",
        ["29300"],
        "rejected",
        5,
        100 * JT,
        None,
        at(2025, 3, 6),
        rejection_reason="NIB tidak cocok",
    )
    p.i8 = _ikm(
        "CV Delapan",
        "33.74",
        ["25910"],
        "verified",
        5,
        100 * JT,
        None,
        at(2025, 3, 7),
        is_active=False,
    )

    # --- events and registrations ---
    p.e1 = LinkMatchEvent.objects.create(
        name="Link & Match Uji Satu",
        kind=LinkMatchEvent.Kind.EXHIBITION,
        start_date=datetime.date(2025, 5, 10),
        end_date=datetime.date(2025, 7, 1),
        organiser=organiser,
    )
    p.e2 = LinkMatchEvent.objects.create(
        name="Business Matching Uji Dua",
        kind=LinkMatchEvent.Kind.BUSINESS_MATCHING,
        start_date=datetime.date(2025, 5, 20),
        end_date=datetime.date(2025, 5, 20),
        organiser=organiser,
    )
    approved, requested = EventParticipant.Status.APPROVED, EventParticipant.Status.REQUESTED
    EventParticipant.objects.create(event=p.e1, ikm=p.i1, status=approved)
    EventParticipant.objects.create(event=p.e1, ikm=p.i3, status=approved)
    EventParticipant.objects.create(event=p.e1, ikm=p.i2, status=requested)
    EventParticipant.objects.create(event=p.e1, buyer=p.b1, status=approved)
    EventParticipant.objects.create(
        event=p.e1, buyer=p.b2, status=EventParticipant.Status.REJECTED, reason="Penuh"
    )
    EventParticipant.objects.create(event=p.e2, ikm=p.i4, status=approved)

    # --- needs and suggestions ---
    p.d1 = Demand.objects.create(buyer=p.b1, title="Bracket", province_id="32", status="open")
    p.d2 = Demand.objects.create(buyer=p.b2, title="Poros", province_id="35", status="closed")
    Demand.objects.filter(pk=p.d1.pk).update(created_at=at(2025, 2, 1))
    Demand.objects.filter(pk=p.d2.pk).update(created_at=at(2025, 4, 1))
    status = MatchSuggestion.Status
    for rank, (demand, ikm, state, reason) in enumerate(
        [
            (p.d1, p.i1, status.SHORTLISTED, ""),
            (p.d1, p.i2, status.CONTACTED, ""),
            (p.d1, p.i3, status.SUGGESTED, ""),
            (p.d2, p.i4, status.DISMISSED, "Kapasitas kurang"),
            (p.d2, p.i1, status.SUGGESTED, ""),
        ],
        1,
    ):
        MatchSuggestion.objects.create(
            demand=demand,
            ikm=ikm,
            rank=rank,
            score=Decimal("70"),
            engine_version="uji",
            status=state,
            dismissed_reason=reason,
        )

    # --- meetings ---
    s1 = EventSession.objects.create(
        event=p.e1,
        date=datetime.date(2025, 5, 10),
        start_time=datetime.time(9),
        end_time=datetime.time(12),
    )
    s2 = EventSession.objects.create(
        event=p.e1,
        date=datetime.date(2025, 7, 1),
        start_time=datetime.time(9),
        end_time=datetime.time(12),
    )
    s3 = EventSession.objects.create(
        event=p.e2,
        date=datetime.date(2025, 5, 20),
        start_time=datetime.time(9),
        end_time=datetime.time(12),
    )
    confirmed = Meeting.Status.CONFIRMED
    for event, session, starts, table, buyer, ikm, state in [
        (p.e1, s1, at(2025, 5, 10, 9), 1, p.b1, p.i1, confirmed),
        (p.e1, s2, at(2025, 7, 1, 9), 1, p.b1, p.i2, confirmed),
        (p.e1, s1, at(2025, 5, 10, 9, 30), 2, p.b2, p.i3, Meeting.Status.CANCELLED),
        (p.e2, s3, at(2025, 5, 20, 10), 1, p.b2, p.i4, confirmed),
    ]:
        Meeting.objects.create(
            event=event,
            session=session,
            starts_at=starts,
            table=table,
            buyer=buyer,
            ikm=ikm,
            status=state,
        )

    # --- MoUs, participants, purchase orders ---
    def mou(number, buyer, state, signed, valid_from, valid_until, event=None):
        return MoU.objects.create(
            number=number,
            title=f"MoU {number}",
            buyer=buyer,
            event=event,
            signing_date=signed,
            valid_from=valid_from,
            valid_until=valid_until,
            partnership_pattern=MoU.Pattern.RANTAI_PASOK,
            status=state,
        )

    d = datetime.date
    p.mou_a = mou("A/2025", p.b1, "active", d(2025, 3, 10), d(2025, 3, 10), d(2027, 3, 9), p.e1)
    p.mou_b = mou("B/2025", p.b2, "signed", d(2025, 4, 5), d(2025, 5, 1), d(2027, 4, 30))
    p.mou_c = mou("C/2024", p.b1, "expired", d(2024, 1, 15), d(2024, 1, 15), d(2024, 12, 31))
    p.mou_d = mou("D/2025", p.b2, "draft", None, d(2025, 7, 1), d(2027, 6, 30))

    def take_part(mou_, ikm, amount):
        return MouParticipant.objects.create(mou=mou_, ikm=ikm, committed_market_access=amount)

    p.a_i1 = take_part(p.mou_a, p.i1, 1 * M)
    p.a_i2 = take_part(p.mou_a, p.i2, 500 * JT)
    p.b_i4 = take_part(p.mou_b, p.i4, 2 * M)
    p.b_i3 = take_part(p.mou_b, p.i3, 350 * JT)
    p.c_i5 = take_part(p.mou_c, p.i5, 800 * JT)
    p.d_i1 = take_part(p.mou_d, p.i1, 400 * JT)
    for number, participant, ordered, value in [
        ("PO-1", p.a_i1, d(2025, 4, 10), 200 * JT),
        ("PO-2", p.a_i1, d(2025, 5, 10), 100 * JT),
        ("PO-3", p.b_i4, d(2025, 5, 20), 500 * JT),
        ("PO-4", p.c_i5, d(2024, 6, 1), 400 * JT),
    ]:
        PurchaseOrder.objects.create(
            participant=participant,
            buyer=participant.mou.buyer,
            number=number,
            order_date=ordered,
            value=value,
        )

    # --- akad kredit and tranches ---
    kmk = CreditScheme.objects.get(code="kmk")
    ki = CreditScheme.objects.get(code="ki")
    p.kmk, p.ki = kmk, ki

    def akad(number, lender, borrower, scheme, mou_, plafon, state, applied, signed=None):
        return AkadKredit.objects.create(
            lender=lender,
            borrower=borrower,
            scheme=scheme,
            mou=mou_,
            application_number=f"APP-{number}",
            akad_number=f"AK-{number}" if signed else "",
            plafon=plafon,
            tenor_months=24,
            interest_rate=Decimal("9.5"),
            status=state,
            applied_on=applied,
            signed_on=signed,
        )

    p.k1 = akad(1, p.l1, p.i1, kmk, p.mou_a, 600 * JT, "disbursed", d(2025, 3, 20), d(2025, 4, 1))
    p.k2 = akad(2, p.l1, p.i4, ki, p.mou_b, 1000 * JT, "signed", d(2025, 4, 10), d(2025, 4, 20))
    p.k3 = akad(3, p.l2, p.i2, kmk, p.mou_a, 400 * JT, "pipeline", d(2025, 4, 25))
    p.k4 = akad(4, p.l2, p.i3, ki, p.mou_b, 250 * JT, "approved", d(2025, 5, 15))
    p.k5 = akad(5, p.l2, p.i5, kmk, p.mou_c, 300 * JT, "paid_off", d(2024, 2, 1), d(2024, 2, 15))
    p.k6 = akad(6, p.l1, p.i1, kmk, None, 150 * JT, "rejected", d(2025, 2, 1))
    p.k7 = akad(7, p.l1, p.i5, kmk, p.mou_c, 200 * JT, "rejected", d(2024, 1, 20))
    for akad_, day, amount in [
        (p.k1, d(2025, 4, 5), 300 * JT),
        (p.k1, d(2025, 5, 5), 200 * JT),
        (p.k5, d(2024, 2, 20), 300 * JT),
    ]:
        Disbursement.objects.create(akad=akad_, disbursed_on=day, amount=amount)
    return p


@pytest.fixture
def program_users(program, kadin_user, kemenperin_user):
    """A user of each role for the program: KADIN, Kemenperin, B1's procurement officer,
    L1's lender officer, and a signed-in user without role or organisation."""
    return SimpleNamespace(
        kadin=kadin_user,
        kemenperin=kemenperin_user,
        buyer=UserFactory(role=Role.PENGADAAN, organisation=program.b1_org),
        lender=UserFactory(role=Role.PEMBIAYAAN, organisation=program.l1_org),
        nobody=UserFactory(),
    )
