"""Realisation ledger screens: the access matrix for every URL, recording a PO / delivery /
payment (htmx and plain), a refused form keeping its message next to the field, corrections,
and a query count that does not grow with the number of POs.

Access: a role without the permission gets 403 whatever the object; with it, an MoU outside
the user's scope gets 404; recording needs the add permission and the MoU's own buyer (or
Kemenperin); KADIN and lenders in scope read only."""

import datetime

import pytest
from django.utils.html import escape

from accounts.roles import Role
from kemitraan import realisation as r
from kemitraan.models import BuyerProfile, Delivery, Payment, PurchaseOrder

from ..factories import AkadKreditFactory, MouFactory, MouParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db

K, P, A, F = Role.KEMENPERIN, Role.PENGADAAN, Role.KADIN, Role.PEMBIAYAAN
OTHER = "other buyer"
ANON = "anonymous"
D = datetime.date
M = 1_000_000


@pytest.fixture
def other_officer(other_buyer_org):
    return UserFactory(role=Role.PENGADAAN, organisation=other_buyer_org)


@pytest.fixture
def who(users_by_role, other_officer):
    return {**users_by_role, OTHER: other_officer, ANON: None}


@pytest.fixture
def mou(buyer_org, lender_org):
    mou = MouFactory(buyer=BuyerProfile.objects.get_or_create(organisation=buyer_org)[0])
    # The lender finances an IKM against this MoU: the MoU is in its officer's scope.
    from pembiayaan.models import LenderProfile

    AkadKreditFactory(
        lender=LenderProfile.objects.get_or_create(organisation=lender_org)[0], mou=mou
    )
    return mou


@pytest.fixture
def participant(mou):
    return MouParticipantFactory(mou=mou, committed_market_access=20 * M)


@pytest.fixture
def po(participant, kemenperin_user):
    po = r.purchase_order_record(
        participant=participant,
        number="PO/UJI/1",
        order_date=D(2024, 1, 2),
        value=10 * M,
        payment_terms_days=30,
        actor=kemenperin_user,
    )
    r.delivery_record(purchase_order=po, date=D(2024, 1, 10), value=4 * M, actor=kemenperin_user)
    r.payment_record(purchase_order=po, date=D(2024, 1, 20), value=1 * M, actor=kemenperin_user)
    return po


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


READ = {K: 200, P: 200, A: 200, F: 200, OTHER: 404, ANON: 302}
WRITE = {K: "ok", P: "ok", A: 403, F: 403, OTHER: 404, ANON: 302}


@pytest.mark.parametrize("role", [K, P, A, F, OTHER, ANON])
def test_read_pages_access(client, who, role, participant, po):
    client = client_for(client, who[role])
    for url in (
        f"/kemitraan/mou/{participant.mou_id}/realisasi/",
        f"/kemitraan/mou/{participant.mou_id}/realisasi/{participant.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == READ[role], (url, role)
        if READ[role] == 200:
            assert "PO/UJI/1" in response.text or participant.ikm.name in response.text


def test_lender_without_akad_on_the_mou_gets_404(client, other_lender_org, participant):
    officer = UserFactory(role=Role.PEMBIAYAAN, organisation=other_lender_org)
    client.force_login(officer)
    assert client.get(f"/kemitraan/mou/{participant.mou_id}/realisasi/").status_code == 404


def test_participant_of_another_mou_is_404(client, kemenperin_user, participant):
    other = MouParticipantFactory()
    client.force_login(kemenperin_user)
    url = f"/kemitraan/mou/{participant.mou_id}/realisasi/{other.pk}/"
    assert client.get(url).status_code == 404


def write_requests(participant, po):
    delivery = po.deliveries.get()
    payment = po.payments.get()
    return [
        (
            f"/kemitraan/mou/{participant.mou_id}/realisasi/{participant.pk}/po/",
            {
                "po-number": "PO/BARU",
                "po-order_date": "2024-02-01",
                "po-value": "2.000.000",
                "po-payment_terms_days": "30",
            },
            lambda: PurchaseOrder.objects.filter(number="PO/BARU").exists(),
        ),
        (
            f"/kemitraan/realisasi/po/{po.pk}/pengiriman/",
            {f"d{po.pk}-date": "2024-02-01", f"d{po.pk}-value": "1 juta"},
            lambda: po.deliveries.count() == 2,
        ),
        (
            f"/kemitraan/realisasi/po/{po.pk}/pembayaran/",
            {f"p{po.pk}-date": "2024-02-01", f"p{po.pk}-value": "1000000"},
            lambda: po.payments.count() == 2,
        ),
        (
            f"/kemitraan/realisasi/pengiriman/{delivery.pk}/hapus/",
            {f"dx{delivery.pk}-reason": "dicatat dua kali"},
            lambda: not Delivery.objects.filter(pk=delivery.pk).exists(),
        ),
        (
            f"/kemitraan/realisasi/pembayaran/{payment.pk}/hapus/",
            {f"px{payment.pk}-reason": "salah PO"},
            lambda: not Payment.objects.filter(pk=payment.pk).exists(),
        ),
    ]


@pytest.mark.parametrize("role", [K, P, A, F, OTHER, ANON])
@pytest.mark.parametrize("index", range(5))
def test_write_access(client, who, role, index, participant, po):
    url, data, done = write_requests(participant, po)[index]
    response = client_for(client, who[role]).post(url, data)
    expected = WRITE[role]
    if expected == "ok":
        assert response.status_code == 302, response.content[:2000]
        assert done()
    else:
        assert response.status_code == expected
        assert not done()


def test_writes_are_post_only(client, pengadaan_user, participant, po):
    client.force_login(pengadaan_user)
    for url, _data, _done in write_requests(participant, po):
        assert client.get(url).status_code == 405


def test_read_only_roles_see_no_forms(client, kadin_user, participant, po):
    client.force_login(kadin_user)
    html = client.get(f"/kemitraan/mou/{participant.mou_id}/realisasi/{participant.pk}/").text
    assert 'id="po-form"' not in html and "entry-form" not in html
    assert "correction-form" not in html


def test_ledger_page_figures(client, kadin_user, participant, po):
    client.force_login(kadin_user)
    html = client.get(f"/kemitraan/mou/{participant.mou_id}/realisasi/").text
    # Ordered 10 juta of 20 committed; 1 juta paid; the 4-juta delivery was due 9 Feb 2024.
    assert "Rp10.000.000" in html and "50,0% / 5,0%" in html  # Indonesian decimal comma
    assert "text-danger" in html and "Rp3.000.000" in html
    assert "09-02-2024" in html


def test_record_po_with_a_mistake_keeps_the_error_next_to_the_field(
    client, pengadaan_user, participant, po
):
    client.force_login(pengadaan_user)
    url = f"/kemitraan/mou/{participant.mou_id}/realisasi/{participant.pk}/po/"
    data = {
        "po-number": "PO/UJI/1",  # taken by this buyer
        "po-order_date": "2024-02-01",
        "po-value": "2.000.000",
        "po-payment_terms_days": "30",
        "po-description": "dudukan mesin",
    }
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    html = response.text
    assert 'id="ledger"' in html and "<html" not in html
    assert escape(str(r.PO_NUMBER_TAKEN)) in html
    # The message sits with the number field, which keeps what was typed.
    field = html[html.index('id="div_id_po-number"') :]
    field = field[: field.index('id="div_id_po-order_date"')]
    assert "is-invalid" in field and escape(str(r.PO_NUMBER_TAKEN)) in field
    assert 'value="2.000.000"' in html and "dudukan mesin" in html
    assert PurchaseOrder.objects.count() == 1
    # Without htmx: the whole page, same message.
    response = client.post(url, data)
    assert response.status_code == 422 and "<html" in response.text
    assert escape(str(r.PO_NUMBER_TAKEN)) in response.text


def test_over_delivery_refused_next_to_the_value(client, pengadaan_user, participant, po):
    client.force_login(pengadaan_user)
    response = client.post(
        f"/kemitraan/realisasi/po/{po.pk}/pengiriman/",
        {f"d{po.pk}-date": "2024-02-01", f"d{po.pk}-value": "7.000.000"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    field = response.text[response.text.index(f'id="div_id_d{po.pk}-value"') :]
    assert "is-invalid" in field[:1500] and "Rp6.000.000" in field[:1500]
    assert po.deliveries.count() == 1


def test_correction_without_reason_is_refused(client, pengadaan_user, participant, po):
    client.force_login(pengadaan_user)
    delivery = po.deliveries.get()
    response = client.post(
        f"/kemitraan/realisasi/pengiriman/{delivery.pk}/hapus/",
        {f"dx{delivery.pk}-reason": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422 and "is-invalid" in response.text
    assert Delivery.objects.filter(pk=delivery.pk).exists()


def test_happy_path_with_htmx(client, pengadaan_user, participant):
    client.force_login(pengadaan_user)
    base = f"/kemitraan/mou/{participant.mou_id}/realisasi/{participant.pk}/"
    response = client.post(
        base + "po/",
        {
            "po-number": "PO/2024/077",
            "po-order_date": "2024-03-01",
            "po-value": "Rp 1,5 miliar",
            "po-payment_terms_days": "45",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and 'id="ledger"' in response.text
    po = PurchaseOrder.objects.get(number="PO/2024/077")
    assert po.value == 1_500_000_000 and po.buyer == participant.mou.buyer
    assert po.created_by == pengadaan_user
    response = client.post(
        f"/kemitraan/realisasi/po/{po.pk}/pengiriman/",
        {f"d{po.pk}-date": "2024-03-10", f"d{po.pk}-value": "1,5 M", f"d{po.pk}-reference": "SJ-1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "SJ-1" in response.text
    response = client.post(
        f"/kemitraan/realisasi/po/{po.pk}/pembayaran/",
        {f"p{po.pk}-date": "2024-04-20", f"p{po.pk}-value": "1.500.000.000"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    ledger = r.participant_ledger(participant)
    assert ledger["summary"].paid == 1_500_000_000 and ledger["summary"].max_days_to_pay == 41
    page = client.get(base).text
    assert "PO/2024/077" in page and "Rp1.500.000.000" in page


def make_pos(participant, actor, count, start=0):
    for i in range(start, start + count):
        po = r.purchase_order_record(
            participant=participant,
            number=f"PO/Q/{i}",
            order_date=D(2024, 1, 2),
            value=5 * M,
            payment_terms_days=30,
            actor=actor,
        )
        r.delivery_record(purchase_order=po, date=D(2024, 1, 5), value=2 * M, actor=actor)
        r.payment_record(purchase_order=po, date=D(2024, 2, 5), value=1 * M, actor=actor)


@pytest.mark.parametrize("role", [K, P])
def test_query_count_does_not_grow_with_pos(
    client, who, role, participant, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = who[role]
    client.force_login(user)
    other = MouParticipantFactory(mou=participant.mou)
    urls = [
        f"/kemitraan/mou/{participant.mou_id}/realisasi/",
        f"/kemitraan/mou/{participant.mou_id}/realisasi/{participant.pk}/",
    ]
    make_pos(participant, who[K], 3)
    small = []
    for url in urls:
        client.get(url)  # warm caches (session, permissions)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        small.append(len(ctx))
    make_pos(participant, who[K], 20, start=3)
    make_pos(other, who[K], 7, start=100)
    for url, before in zip(urls, small, strict=True):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        assert len(ctx) == before, url
    assert max(small) <= 15
