"""The closed loop (pembiayaan:candidate-list): IKM with a committed market in a signed or
active MoU and no running credit against it, with the realisation so far and the buyer's
payment record across all its MoUs; the link to record an application for lender officers
only; a fixed number of queries whatever the number of rows. And the selectors behind the
coverage figures and the totals.

Pages are requested in Indonesian (the ``django_language`` cookie): decimal commas."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kemitraan import realisation
from kemitraan.models import BuyerProfile
from pembiayaan import selectors, services
from pembiayaan.models import AkadKredit

from ..factories import (
    AkadKreditFactory,
    IkmFactory,
    MouFactory,
    MouParticipantFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
JUTA = 1_000_000
MILIAR = 1_000_000_000
PAGE = reverse("pembiayaan:candidate-list")


# --- Helpers ---------------------------------------------------------------------------------


def indonesian(client, user):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    client.force_login(user)
    return client


def rows(html: str) -> dict[str, list[str]]:
    """The candidates' table: for each row, keyed by the IKM's name, its cells' HTML."""
    table = html[html.index('id="candidate-table"') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        name = re.search(r'<a href="/ikm/\d+/">([^<]+)</a>', cells[0])
        if name:  # the "no candidates" row has none
            found[name.group(1)] = cells
    return found


def row_tags(html: str) -> dict[str, str]:
    """Each row's full HTML (with the cells' attributes), keyed by the IKM's name."""
    table = html[html.index('id="candidate-table"') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return {
        re.search(r'<a href="/ikm/\d+/">([^<]+)</a>', row).group(1): row
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
        if '<a href="/ikm/' in row
    }


def listed(client, **query) -> set[str]:
    response = client.get(PAGE, query)
    assert response.status_code == 200
    return set(rows(response.text))


def plain(cell: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


def mou_of(buyer, number, *, status="active", valid_until=None, **kwargs):
    if status == "terminated":
        kwargs.setdefault("termination_reason", "Pembeli menghentikan pemesanan")
    until = valid_until or D(2030, 12, 31)
    return MouFactory(buyer=buyer, number=number, status=status, valid_until=until, **kwargs)


def record_po(participant, actor, number, *, value, delivered=(), paid=(), terms=30):
    """A PO with its deliveries and payments, each a (date, value), through the services."""
    po = realisation.purchase_order_record(
        participant=participant,
        number=number,
        order_date=D(2025, 1, 2),
        value=value,
        payment_terms_days=terms,
        actor=actor,
    )
    for date, amount in delivered:
        realisation.delivery_record(purchase_order=po, date=date, value=amount, actor=actor)
    for date, amount in paid:
        realisation.payment_record(purchase_order=po, date=date, value=amount, actor=actor)
    return po


# --- Fixtures --------------------------------------------------------------------------------


@pytest.fixture
def buyer(buyer_org):
    return buyer_org.buyer_profile


@pytest.fixture
def mou(buyer):
    return mou_of(buyer, "001/KAND/MoU/2025")


@pytest.fixture
def candidate(mou):
    """CV Kandidat Satu, with Rp3 miliar a year committed in the active MoU."""
    return MouParticipantFactory(
        mou=mou,
        ikm=IkmFactory(name="CV Kandidat Satu", nib="9130000000001"),
        committed_market_access=3 * MILIAR,
    )


# --- Who is a candidate ------------------------------------------------------------------------


def test_an_ikm_in_an_active_mou_without_credit_is_listed(client, officer, candidate, mou):
    html = indonesian(client, officer).get(PAGE).text
    cells = rows(html)["CV Kandidat Satu"]
    assert "9130000000001" in cells[0]
    assert mou.number in cells[1] and "PT Uji Motor Indonesia" in cells[1]
    # The officer's lender has no akad on the MoU: its page is not theirs to open.
    assert f"/kemitraan/mou/{mou.pk}/" not in cells[1]
    assert plain(cells[2]) == "Rp3 miliar"
    assert 'title="Rp3.000.000.000"' in row_tags(html)["CV Kandidat Satu"]
    link = f"{reverse('pembiayaan:akad-create')}?ikm={candidate.ikm_id}&amp;mou={mou.pk}"
    assert link in cells[8]


def test_the_apply_link_is_for_lender_officers_only(
    client, officer, kemenperin_user, kadin_user, candidate, mou
):
    link = reverse("pembiayaan:akad-create")
    assert link in indonesian(client, officer).get(PAGE).text
    for user in (kemenperin_user, kadin_user):
        html = indonesian(client, user).get(PAGE).text
        cells = rows(html)["CV Kandidat Satu"]
        assert link not in html and len(cells) == 8
        assert f'href="/kemitraan/mou/{mou.pk}/"' in cells[1]  # they may open the MoU


@pytest.mark.parametrize(
    ("status", "is_listed"),
    [
        ("pipeline", False),
        ("approved", False),
        ("signed", False),
        ("disbursed", False),
        ("rejected", True),
        ("cancelled", True),
    ],
)
def test_credit_on_the_mou_for_that_ikm_takes_it_off_the_list(
    client, officer, other_lender, candidate, mou, status, is_listed
):
    # Any lender's credit counts: here another lender's.
    akad = AkadKreditFactory(
        lender=other_lender, borrower=candidate.ikm, mou=mou, applied_on=D(2025, 1, 10)
    )
    indonesian(client, officer)
    assert listed(client) == set()  # an application in the pipeline is enough
    if status in ("rejected", "cancelled"):
        close = services.akad_reject if status == "rejected" else services.akad_cancel
        close(akad=akad, reason="Agunan tidak memadai", actor=None)
    elif status != "pipeline":
        services.akad_approve(akad=akad, approved_on=D(2025, 1, 20), actor=None)
        if status in ("signed", "disbursed"):
            services.akad_sign(akad=akad, akad_number="AK/K/1", signed_on=D(2025, 2, 1), actor=None)
        if status == "disbursed":
            services.akad_disburse(
                akad=akad, amount=100 * JUTA, disbursed_on=D(2025, 2, 5), actor=None
            )
    assert AkadKredit.objects.get(pk=akad.pk).status == status
    assert listed(client) == ({"CV Kandidat Satu"} if is_listed else set())


def test_credit_elsewhere_does_not_take_it_off_the_list(client, officer, lender, candidate, mou):
    other_mou = mou_of(mou.buyer, "002/KAND/MoU/2025")
    MouParticipantFactory(mou=other_mou, ikm=candidate.ikm)
    # Credit of the same IKM on another MoU, and of another IKM on this MoU.
    AkadKreditFactory(lender=lender, borrower=candidate.ikm, mou=other_mou)
    AkadKreditFactory(lender=lender, borrower=IkmFactory(), mou=mou)
    html = indonesian(client, officer).get(PAGE).text
    assert list(rows(html)) == ["CV Kandidat Satu"]
    assert mou.number in rows(html)["CV Kandidat Satu"][1]


@pytest.mark.parametrize(
    ("status", "valid_until", "is_listed"),
    [
        ("active", "today", True),  # valid until today: still in effect
        ("signed", "future", True),
        ("active", "yesterday", False),  # validity over, status not updated yet
        ("draft", "future", False),
        ("terminated", "future", False),
        ("expired", "yesterday", False),
    ],
)
def test_only_mous_in_effect_bring_candidates(
    client, officer, buyer, status, valid_until, is_listed
):
    today = timezone.localdate()
    until = {
        "today": today,
        "yesterday": today - datetime.timedelta(days=1),
        "future": D(2030, 12, 31),
    }[valid_until]
    mou = mou_of(buyer, "009/KAND/MoU", status=status, valid_until=until)
    MouParticipantFactory(mou=mou, ikm=IkmFactory(name="CV Uji Status"))
    assert listed(indonesian(client, officer)) == ({"CV Uji Status"} if is_listed else set())


@pytest.mark.parametrize(
    ("ikm", "for_lenders"),
    [
        ({"verification_status": "verified"}, True),
        ({"verification_status": "submitted"}, True),
        ({"verification_status": "draft"}, False),
        ({"verification_status": "rejected", "rejection_reason": "NIB tidak aktif"}, False),
        ({"is_active": False}, False),
    ],
)
def test_ikm_a_lender_may_not_see_are_not_listed_for_lenders(
    client, officer, kadin_user, mou, ikm, for_lenders
):
    MouParticipantFactory(mou=mou, ikm=IkmFactory(name="CV Uji Registri", **ikm))
    assert listed(indonesian(client, officer)) == ({"CV Uji Registri"} if for_lenders else set())
    assert listed(indonesian(client, kadin_user)) == {"CV Uji Registri"}


def test_search_and_province(client, officer, candidate, buyer, other_buyer_org):
    other = mou_of(other_buyer_org.buyer_profile, "777/LAIN/MoU")
    MouParticipantFactory(mou=other, ikm=IkmFactory(name="CV Kandidat Dua", nib="9130000000002"))
    indonesian(client, officer)
    assert listed(client) == {"CV Kandidat Satu", "CV Kandidat Dua"}
    assert listed(client, q="9130000000002") == {"CV Kandidat Dua"}
    assert listed(client, q="777/LAIN") == {"CV Kandidat Dua"}
    assert listed(client, q="Uji Motor") == {"CV Kandidat Satu"}  # the buyer's name
    assert listed(client, province="32") == {"CV Kandidat Satu", "CV Kandidat Dua"}  # Jawa Barat
    assert listed(client, province="31") == set()


def test_larger_commitments_come_first(client, officer, mou, candidate):
    MouParticipantFactory(
        mou=mou, ikm=IkmFactory(name="CV Komitmen Besar"), committed_market_access=9 * MILIAR
    )
    html = indonesian(client, officer).get(PAGE).text
    assert list(rows(html)) == ["CV Komitmen Besar", "CV Kandidat Satu"]


# --- Realisation and the buyer's payment record ----------------------------------------------


def test_the_realisation_so_far(client, officer, kemenperin_user, candidate):
    record_po(
        candidate,
        kemenperin_user,
        "PO/K/1",
        value=1_200 * JUTA,
        delivered=[(D(2025, 1, 10), 1 * MILIAR)],
        paid=[(D(2025, 2, 9), 600 * JUTA)],
    )
    html = indonesian(client, officer).get(PAGE).text
    cells = rows(html)["CV Kandidat Satu"]
    assert plain(cells[3]) == "Rp1,2 miliar 40,0%"  # ordered, of Rp3 miliar committed
    assert plain(cells[4]) == "Rp600 juta 20,0%"  # paid
    # The buyer: Rp1 miliar delivered, Rp600 juta paid, no delivery paid in full yet, and
    # Rp400 juta due since 9 February 2025.
    assert plain(cells[5]) == "—"
    assert plain(cells[6]) == "60,0%"
    assert plain(cells[7]) == "Rp400 juta"
    assert 'class="money text-danger fw-semibold">' in row_tags(html)["CV Kandidat Satu"]


def test_the_buyers_payment_record_spans_all_its_mous(
    client, officer, lender, kemenperin_user, buyer, candidate, other_buyer_org
):
    # The same buyer's other MoU, whose IKM already has credit (so is not a candidate).
    second = mou_of(buyer, "002/KAND/MoU/2025")
    financed = MouParticipantFactory(mou=second, ikm=IkmFactory(name="CV Sudah Dibiayai"))
    AkadKreditFactory(lender=lender, borrower=financed.ikm, mou=second)
    # Paid in 30 days (Rp100 juta) and in 50 days (Rp300 juta); Rp200 juta overdue.
    record_po(
        candidate,
        kemenperin_user,
        "PO/A",
        value=100 * JUTA,
        delivered=[(D(2025, 1, 10), 100 * JUTA)],
        paid=[(D(2025, 2, 9), 100 * JUTA)],
    )
    record_po(
        financed,
        kemenperin_user,
        "PO/B",
        value=300 * JUTA,
        delivered=[(D(2025, 1, 10), 300 * JUTA)],
        paid=[(D(2025, 3, 1), 300 * JUTA)],
    )
    record_po(
        financed,
        kemenperin_user,
        "PO/C",
        value=200 * JUTA,
        delivered=[(D(2025, 6, 1), 200 * JUTA)],
    )
    # Another buyer pays in 10 days and owes nothing.
    other = MouParticipantFactory(
        mou=mou_of(other_buyer_org.buyer_profile, "003/LAIN/MoU"),
        ikm=IkmFactory(name="CV Pembeli Lain"),
        committed_market_access=1 * MILIAR,
    )
    record_po(
        other,
        kemenperin_user,
        "PO/L",
        value=50 * JUTA,
        delivered=[(D(2025, 1, 10), 50 * JUTA)],
        paid=[(D(2025, 1, 20), 50 * JUTA)],
    )
    html = indonesian(client, officer).get(PAGE).text
    table = rows(html)
    assert set(table) == {"CV Kandidat Satu", "CV Pembeli Lain"}
    ours = table["CV Kandidat Satu"]
    assert plain(ours[3]) == "Rp100 juta 3,3%"  # its own realisation only
    assert re.fullmatch(r"45,0\D.*", plain(ours[5])), ours[5]  # (100 x 30 + 300 x 50) / 400
    assert plain(ours[6]) == "66,7%"  # Rp400 juta paid of Rp600 juta delivered
    assert plain(ours[7]) == "Rp200 juta"
    theirs = table["CV Pembeli Lain"]
    assert re.fullmatch(r"10,0\D.*", plain(theirs[5])), theirs[5]
    assert plain(theirs[6]) == "100,0%"
    assert plain(theirs[7]) == "—"
    assert "text-danger" not in row_tags(html)["CV Pembeli Lain"]


def test_the_queries_do_not_grow_with_the_rows(client, officer, kemenperin_user):
    def make(start, count):
        for i in range(start, start + count):
            org = OrganisationFactory(kind="tier1", name=f"PT Pembeli Beban {i}")
            buyer = BuyerProfile.objects.get(organisation=org)
            participant = MouParticipantFactory(
                mou=mou_of(buyer, f"{i:03d}/BEBAN/MoU"),
                ikm=IkmFactory(name=f"CV Beban {i:02d}"),
                committed_market_access=(i + 1) * MILIAR,
            )
            record_po(
                participant,
                kemenperin_user,
                f"PO/BEBAN/{i}",
                value=100 * JUTA,
                delivered=[(D(2025, 1, 10), 80 * JUTA)],
                paid=[(D(2025, 2, 1), 50 * JUTA)],
            )

    indonesian(client, officer)
    make(0, 3)
    client.get(PAGE)  # session and permissions cached
    with CaptureQueriesContext(connection) as few:
        assert len(rows(client.get(PAGE).text)) == 3
    make(3, 9)
    with CaptureQueriesContext(connection) as many:
        assert len(rows(client.get(PAGE).text)) == 12
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


# --- 7. Selectors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("committed", "plafon", "expected"),
    [
        (3 * MILIAR, 2_100 * JUTA, Decimal("1.43")),
        (3 * MILIAR, 1 * MILIAR, Decimal("3.00")),
        (2_005, 1_000, Decimal("2.01")),  # half up, not to even
        (1 * MILIAR, 3 * MILIAR, Decimal("0.33")),
        (None, 1 * MILIAR, None),
        (0, 1 * MILIAR, None),
        (1 * MILIAR, None, None),
        (1 * MILIAR, 0, None),
    ],
)
def test_coverage_ratio(committed, plafon, expected):
    result = selectors.coverage_ratio(committed, plafon)
    assert result == expected
    if expected is not None:
        assert result.as_tuple().exponent == -2


def test_with_coverage(lender, mou, candidate):
    ikm = candidate.ikm
    on_mou = AkadKreditFactory(lender=lender, borrower=ikm, mou=mou, plafon=2_100 * JUTA)
    no_mou = AkadKreditFactory(lender=lender, borrower=ikm, mou=None)
    stranger = AkadKreditFactory(lender=lender, mou=mou)  # borrower not in the MoU
    result = selectors.with_coverage(AkadKredit.objects.order_by("pk"))
    assert isinstance(result, list) and [a.pk for a in result] == [
        on_mou.pk,
        no_mou.pk,
        stranger.pk,
    ]
    by_pk = {a.pk: a for a in result}
    assert by_pk[on_mou.pk].committed_market_access == 3 * MILIAR
    assert by_pk[on_mou.pk].coverage == Decimal("1.43")
    assert by_pk[no_mou.pk].committed_market_access is None
    assert by_pk[no_mou.pk].coverage is None
    assert by_pk[stranger.pk].coverage is None


def test_with_coverage_when_the_borrower_left_the_mou(lender, mou, candidate):
    akad = AkadKreditFactory(lender=lender, borrower=candidate.ikm, mou=mou, plafon=MILIAR)
    assert selectors.with_coverage([akad])[0].coverage == Decimal("3.00")
    candidate.delete()
    [akad] = selectors.with_coverage([AkadKredit.objects.get(pk=akad.pk)])
    assert akad.committed_market_access is None and akad.coverage is None


def test_with_coverage_reads_the_commitments_in_one_query(lender, mou, django_assert_num_queries):
    akads = []
    for _ in range(5):
        participant = MouParticipantFactory(mou=mou)
        akads.append(AkadKreditFactory(lender=lender, borrower=participant.ikm, mou=mou))
    akads = list(AkadKredit.objects.all())
    with django_assert_num_queries(1):
        result = selectors.with_coverage(akads)
    assert all(a.coverage == Decimal("3.00") for a in result)


def test_totals(lender, other_lender):
    def make(plafon, status, lender=lender):
        akad = AkadKreditFactory(lender=lender, plafon=plafon, applied_on=D(2025, 1, 10))
        if status in ("rejected", "cancelled"):
            close = services.akad_reject if status == "rejected" else services.akad_cancel
            close(akad=akad, reason="uji", actor=None)
            return akad
        if status == "pipeline":
            return akad
        services.akad_approve(akad=akad, approved_on=D(2025, 1, 20), actor=None)
        if status == "approved":
            return akad
        services.akad_sign(
            akad=akad, akad_number=f"AK/T/{akad.pk}", signed_on=D(2025, 2, 1), actor=None
        )
        if status == "signed":
            return akad
        services.akad_disburse(
            akad=akad, amount=plafon // 4, disbursed_on=D(2025, 2, 5), actor=None
        )
        services.akad_disburse(
            akad=akad, amount=plafon // 4, disbursed_on=D(2025, 2, 6), actor=None
        )
        if status == "paid_off":
            services.akad_pay_off(akad=akad, paid_off_on=D(2025, 6, 30), actor=None)
        return akad

    assert selectors.totals(AkadKredit.objects.all()) == {
        "signed_count": 0,
        "signed_amount": 0,
        "pipeline_count": 0,
        "pipeline_amount": 0,
        "disbursed_amount": 0,
    }
    make(10 * MILIAR, "signed")
    make(8 * MILIAR, "disbursed")  # Rp4 miliar out in two tranches
    make(4 * MILIAR, "paid_off")  # Rp2 miliar out, then paid off: still a signed akad
    make(1_500 * JUTA, "pipeline")
    make(500 * JUTA, "approved")
    make(7 * MILIAR, "rejected")
    make(9 * MILIAR, "cancelled")
    make(50 * MILIAR, "disbursed", lender=other_lender)
    assert selectors.totals(AkadKredit.objects.filter(lender=lender)) == {
        "signed_count": 3,
        "signed_amount": 22 * MILIAR,
        "pipeline_count": 2,
        "pipeline_amount": 2 * MILIAR,
        "disbursed_amount": 6 * MILIAR,
    }
    everything = selectors.totals(AkadKredit.objects.all())
    assert everything["signed_amount"] == 72 * MILIAR
    assert everything["disbursed_amount"] == 31 * MILIAR
    assert selectors.totals(AkadKredit.objects.filter(status="rejected"))["signed_count"] == 0
