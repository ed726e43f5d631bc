"""The landing pages: each role lands on its work, sees only its scope, and is refused
what its role may not use."""

import pytest
from django.core.management import call_command

from accounts.roles import Role

pytestmark = pytest.mark.django_db

PAGES = {
    "/ikm/": {Role.KEMENPERIN, Role.KADIN, Role.PENGADAAN, Role.PEMBIAYAAN},
    "/kemitraan/kebutuhan/": {Role.KEMENPERIN, Role.KADIN, Role.PENGADAAN},
    "/kemitraan/mou/": {Role.KEMENPERIN, Role.KADIN, Role.PENGADAAN, Role.PEMBIAYAAN},
    "/pembiayaan/akad/": {Role.KEMENPERIN, Role.KADIN, Role.PEMBIAYAAN},
    # Kemenperin and KADIN: the program's figures; officers: their organisation's slice.
    "/dasbor/": {Role.KEMENPERIN, Role.KADIN, Role.PENGADAAN, Role.PEMBIAYAAN},
}

LANDING = {
    Role.KEMENPERIN: "/ikm/",
    Role.PENGADAAN: "/kemitraan/kebutuhan/",
    Role.KADIN: "/dasbor/",
    Role.PEMBIAYAAN: "/pembiayaan/akad/",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_work(client, users_by_role, role):
    client.force_login(users_by_role[role])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == LANDING[role]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("path", list(PAGES))
def test_page_permissions_per_role(client, users_by_role, role, path):
    client.force_login(users_by_role[role])
    response = client.get(path)
    assert response.status_code == (200 if role in PAGES[path] else 403)


def test_a_user_without_role_is_told_why(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("baru", password="x" * 12))
    response = client.get("/")
    assert response.status_code == 403
    assert "belum memiliki peran" in response.text.lower() or "peran" in response.text


def test_navigation_shows_only_what_the_role_may_use(client, users_by_role):
    client.force_login(users_by_role[Role.PEMBIAYAAN])
    html = client.get("/pembiayaan/akad/").text
    assert 'href="/pembiayaan/akad/"' in html
    assert 'href="/kemitraan/kebutuhan/"' not in html
    assert 'href="/dasbor/"' in html  # their lender's slice of the dashboard
    assert 'href="/ikm/"' not in html


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def test_kadin_overview_shows_the_program_figures(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin.kadin"))
    html = client.get("/dasbor/").text
    assert "Rp100 miliar/tahun" in html
    assert "Rp24 miliar" in html
    assert "10 akad" in html
    assert "Rp82 miliar" in html
    assert "24 akad dalam proses" in html


def test_lender_sees_only_its_own_akad(client, demo):
    from django.contrib.auth import get_user_model

    from pembiayaan.models import AkadKredit

    client.force_login(get_user_model().objects.get(username="kredit.mandiri"))
    html = client.get("/pembiayaan/akad/").text
    mandiri = AkadKredit.objects.filter(lender__short_name="Bank Mandiri")
    others = AkadKredit.objects.exclude(lender__short_name="Bank Mandiri")
    assert mandiri.exists() and others.exists()
    for akad in mandiri:
        assert str(akad) in html
    for akad in others:
        assert str(akad) not in html


def test_buyer_sees_their_mou_with_its_market_access(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="pengadaan.ydba"))
    html = client.get("/kemitraan/mou/").text
    assert "001/YDBA/MoU/XI/2022" in html
    assert "Rp100 miliar" in html
    client.force_login(get_user_model().objects.get(username="pengadaan.garuda"))
    assert "001/YDBA/MoU/XI/2022" not in client.get("/kemitraan/mou/").text


@pytest.mark.parametrize("size", [10, 60])
def test_list_queries_do_not_grow_with_rows(
    client, kadin_user, django_assert_max_num_queries, size
):
    from .factories import AkadKreditFactory, DemandFactory, IkmFactory, MouParticipantFactory

    IkmFactory.create_batch(size, verification_status="submitted")
    DemandFactory.create_batch(size)
    AkadKreditFactory.create_batch(size)
    MouParticipantFactory.create_batch(size)
    client.force_login(kadin_user)
    # The akad list also sums the listed akad (signed, pipeline, disbursed), reads the
    # borrowers' commitments for the coverage and fills the scheme and lender filters.
    # The filter bars read their options once each: needs (provinces, buyers), MoUs (buyers,
    # events, provinces, KBLI divisions in use), akad (+ provinces, divisions, events).
    for path, most in (
        ("/ikm/?status=submitted", 12),
        ("/kemitraan/kebutuhan/", 12),
        ("/kemitraan/mou/", 14),
        ("/pembiayaan/akad/", 18),
    ):
        with django_assert_max_num_queries(most):
            assert client.get(path).status_code == 200
