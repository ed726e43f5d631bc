"""The supplier directory: access per role, every filter, sorting, page sizes, htmx partial,
a query count that does not grow with the page, and no contact data."""

import datetime
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from ikm import search
from ikm.directory import DEFAULT_PAGE_SIZE, canonical_query
from ikm.filters import DirectoryFilterSet
from ikm.models import IKM, CertificationType, Regency
from ikm.tables import DATES_NOT_RECORDED, IkmDirectoryTable
from tests.factories import CertificateFactory, IkmFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_search_caches():
    search.clear_caches()


URL = reverse("ikm:directory")
ROW = re.compile(r'<a href="/ikm/(\d+)/">')


def rows(response) -> list[int]:
    """IKM ids in the table, in order."""
    return [int(pk) for pk in ROW.findall(response.content.decode())]


def names(response) -> set[str]:
    return {IKM.objects.get(pk=pk).name for pk in rows(response)}


def get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def english(client):
    """Pages in English (the language switch's cookie): assertions on English source text."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def hidden_and_shown(db):
    """One IKM of each visibility case."""
    return {
        "verified": IkmFactory(name="CV Terverifikasi"),
        "submitted": IkmFactory(name="CV Diajukan", verification_status=IKM.Status.SUBMITTED),
        "draft": IkmFactory(name="CV Draf", verification_status=IKM.Status.DRAFT),
        "rejected": IkmFactory(
            name="CV Ditolak",
            verification_status=IKM.Status.REJECTED,
            rejection_reason="NIB tidak cocok",
        ),
        "inactive": IkmFactory(name="CV Nonaktif", is_active=False),
    }


# --- Access and visibility ------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_without_a_role_is_refused(client):
    assert get(client, UserFactory()).status_code == 403


@pytest.mark.parametrize("role", [Role.KEMENPERIN, Role.KADIN])
def test_kemenperin_and_kadin_see_every_ikm(client, users_by_role, hidden_and_shown, role):
    response = get(client, users_by_role[role])
    assert response.status_code == 200
    assert names(response) == {ikm.name for ikm in hidden_and_shown.values()}


@pytest.mark.parametrize("role", [Role.PENGADAAN, Role.PEMBIAYAAN])
def test_buyers_and_lenders_see_active_submitted_or_verified_ikm(
    client, users_by_role, hidden_and_shown, role
):
    response = get(client, users_by_role[role])
    assert response.status_code == 200
    assert names(response) == {"CV Terverifikasi", "CV Diajukan"}
    # Not even by asking for the status, which their form does not offer.
    response = get(client, users_by_role[role], verification_status="draft")
    assert rows(response) == []
    html = get(client, users_by_role[role]).content.decode()
    assert '<option value="submitted">' in html
    assert '<option value="draft">' not in html


def test_rows_show_status_region_size_processes_and_valid_certificates(client, kemenperin_user):
    ikm = IkmFactory(
        name="CV Baris Lengkap",
        regency=Regency.objects.get(code="33.76"),
        processes=["pemesinan", "perlakuan-panas"],
        monthly_capacity=45000,
        capacity_unit="pcs",
        tkdn=Decimal("47.30"),
        workforce=17,
        investment_value=820_000_000,
        is_active=False,
    )
    today = timezone.localdate()
    CertificateFactory(ikm=ikm, valid_from=today - datetime.timedelta(days=10))
    CertificateFactory(
        ikm=ikm,
        certification_type=CertificationType.objects.get(code="SNI"),
        valid_from=None,
        valid_until=None,
    )
    CertificateFactory(
        ikm=ikm,
        certification_type=CertificationType.objects.get(code="IATF16949"),
        valid_from=today - datetime.timedelta(days=900),
        valid_until=today - datetime.timedelta(days=1),
    )
    english(client).force_login(kemenperin_user)
    html = client.get(URL, HTTP_HX_REQUEST="true").content.decode()  # the table only
    assert f'<a href="{reverse("ikm:detail", args=[ikm.pk])}">CV Baris Lengkap</a>' in html
    assert "Verified" in html
    assert "Inactive" in html
    assert "Kota Tegal" in html
    assert "Jawa Tengah" in html
    assert "Small industry" in html
    assert "Machining (CNC), Heat treatment" in html or "Heat treatment, Machining" in html
    assert ">ISO9001<" in html
    assert ">SNI" in html and str(DATES_NOT_RECORDED) in html
    assert "IATF16949" not in html  # expired yesterday
    assert "45,000 pcs" in html
    assert "47.30%" in html
    assert "1 IKM found" in html


def test_contact_data_never_appears(client, kemenperin_user):
    IkmFactory(
        name="CV Kontak",
        contact_name="Agus Wicaksono",
        contact_phone="+628127310458",
        contact_email="pemasaran@kontak.example",
    )
    html = get(client, kemenperin_user).content.decode()
    assert "CV Kontak" in html
    for secret in ("Agus Wicaksono", "+628127310458", "8127310458", "pemasaran@kontak.example"):
        assert secret not in html


# --- Filters --------------------------------------------------------------------------


@pytest.fixture
def catalogue(db):
    """Two IKM that differ in everything the filters look at."""
    today = timezone.localdate()
    tegal = IkmFactory(
        name="CV Bubut Tegal",
        regency=Regency.objects.get(code="33.76"),
        kbli=["25920"],
        processes=["pemesinan"],
        products="jasa pembubutan poros",
        monthly_capacity=50_000,
        tkdn=Decimal("60.00"),
        workforce=12,
        investment_value=400_000_000,
        verification_status=IKM.Status.SUBMITTED,
    )
    bekasi = IkmFactory(
        name="PT Press Bekasi",
        regency=Regency.objects.get(code="32.16"),
        kbli=["29300"],
        processes=["stamping"],
        products="bracket knalpot",
        monthly_capacity=5_000,
        tkdn=Decimal("30.00"),
        workforce=80,
        investment_value=20_000_000_000,
    )
    CertificateFactory(ikm=tegal, valid_from=None, valid_until=None)  # held, undated
    CertificateFactory(ikm=bekasi, valid_until=today - datetime.timedelta(days=1))  # expired
    CertificateFactory(
        ikm=bekasi,
        certification_type=CertificationType.objects.get(code="IATF16949"),
        valid_from=today + datetime.timedelta(days=5),  # not yet valid
        valid_until=today + datetime.timedelta(days=900),
    )
    return {"tegal": tegal, "bekasi": bekasi}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"tegal", "bekasi"}),
        ({"search": "bubut"}, {"tegal"}),
        ({"search": "Presss Bekasi"}, {"bekasi"}),
        ({"province": "33"}, {"tegal"}),
        ({"province": "32"}, {"bekasi"}),
        ({"regency": "32.16"}, {"bekasi"}),
        ({"kbli": "25920"}, {"tegal"}),
        ({"process": "stamping"}, {"bekasi"}),
        ({"certification": "ISO9001"}, {"tegal"}),
        ({"certification": "IATF16949"}, set()),
        ({"size_class": "kecil"}, {"tegal"}),
        ({"size_class": "besar"}, {"bekasi"}),
        ({"size_class": "menengah"}, set()),
        ({"min_capacity": "10000"}, {"tegal"}),
        ({"min_capacity": "5000"}, {"tegal", "bekasi"}),
        ({"min_tkdn": "40"}, {"tegal"}),
        ({"min_tkdn": "30"}, {"tegal", "bekasi"}),
        ({"verification_status": "verified"}, {"bekasi"}),
        ({"verification_status": "submitted"}, {"tegal"}),
        ({"province": "33", "process": "pemesinan", "search": "poros"}, {"tegal"}),
        ({"province": "33", "process": "stamping"}, set()),
    ],
)
def test_every_filter(client, kemenperin_user, catalogue, params, expected):
    response = get(client, kemenperin_user, **params)
    assert response.status_code == 200
    assert set(rows(response)) == {catalogue[key].pk for key in expected}


def test_an_invalid_filter_shows_nothing_and_says_so(client, kemenperin_user, catalogue):
    response = get(english(client), kemenperin_user, province="99")
    assert rows(response) == []
    assert "Some filters are not valid" in response.content.decode()


def test_a_regency_outside_the_chosen_province_is_dropped(catalogue):
    filterset = DirectoryFilterSet(
        data={"province": "33", "regency": "32.16"}, queryset=IKM.objects.all()
    )
    assert filterset.is_valid()
    assert "regency" not in filterset.data
    assert set(filterset.qs) == {catalogue["tegal"]}
    regencies = filterset.form.fields["regency"].queryset
    assert set(regencies.values_list("province_id", flat=True)) == {"33"}


def test_search_orders_by_relevance(client, kemenperin_user):
    IkmFactory(name="CV Logam Abadi", products="velg dicor")
    IkmFactory(name="CV Pengecoran Jaya", products="tromol rem")
    response = get(client, kemenperin_user, search="pengecoran")
    assert [IKM.objects.get(pk=pk).name for pk in rows(response)] == [
        "CV Pengecoran Jaya",
        "CV Logam Abadi",
    ]


# --- Sorting, pages, URL ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["CV Bubut Tegal", "PT Press Bekasi"]),
        ("-name", ["PT Press Bekasi", "CV Bubut Tegal"]),
        ("tkdn", ["PT Press Bekasi", "CV Bubut Tegal"]),
        ("-monthly_capacity", ["CV Bubut Tegal", "PT Press Bekasi"]),
        ("size_class", ["CV Bubut Tegal", "PT Press Bekasi"]),
        ("-size_class", ["PT Press Bekasi", "CV Bubut Tegal"]),
        ("location", ["PT Press Bekasi", "CV Bubut Tegal"]),  # Kabupaten Bekasi < Kota Tegal
    ],
)
def test_sorting(client, kemenperin_user, catalogue, sort, expected):
    response = get(client, kemenperin_user, sort=sort)
    assert [IKM.objects.get(pk=pk).name for pk in rows(response)] == expected
    # The same with a search matching both (relevance gives way to the chosen order).
    response = get(client, kemenperin_user, sort=sort, search="baja")
    assert [IKM.objects.get(pk=pk).name for pk in rows(response)] == expected


def test_the_export_link_carries_the_filters(client, kemenperin_user, catalogue):
    html = get(client, kemenperin_user, province="33", regency="", search="").content.decode()
    assert f'href="{reverse("ikm:directory-export")}?province=33"' in html


def test_page_sizes_and_pages(client, kemenperin_user):
    IkmFactory.create_batch(30)
    assert len(rows(get(client, kemenperin_user))) == DEFAULT_PAGE_SIZE
    assert len(rows(get(client, kemenperin_user, per_page="10"))) == 10
    assert len(rows(get(client, kemenperin_user, per_page="50"))) == 30
    assert len(rows(get(client, kemenperin_user, per_page="7"))) == DEFAULT_PAGE_SIZE
    assert len(rows(get(client, kemenperin_user, per_page="1000"))) == DEFAULT_PAGE_SIZE
    assert len(rows(get(client, kemenperin_user, per_page="10", page="3"))) == 10
    assert len(rows(get(client, kemenperin_user, per_page="10", page="99"))) == 10  # last page
    first = rows(get(client, kemenperin_user, per_page="10", page="1"))
    second = rows(get(client, kemenperin_user, per_page="10", page="2"))
    assert not set(first) & set(second)


def test_filters_stay_in_the_links(client, kemenperin_user):
    IkmFactory.create_batch(12, products="bubut poros")
    html = get(english(client), kemenperin_user, search="bubut", per_page="10").content.decode()
    assert "12 IKM found" in html
    assert "?search=bubut&amp;per_page=10&amp;page=2" in html
    assert "?search=bubut&amp;per_page=10&amp;sort=name" in html
    assert '<option value="10" selected>' in html
    assert 'value="bubut"' in html  # the search box keeps the query


def test_search_pages_come_with_their_total_in_one_query(client, kemenperin_user):
    IkmFactory.create_batch(30, products="jasa bubut poros")
    IkmFactory(products="seal karet")
    english(client).force_login(kemenperin_user)
    params = {"search": "bubut", "per_page": "10", "page": "2"}
    with CaptureQueriesContext(connection) as context:
        response = client.get(URL, params, HTTP_HX_REQUEST="true")
    assert len(rows(response)) == 10
    assert "30 IKM found" in response.content.decode()
    assert not any("COUNT(*) AS" in query["sql"] for query in context.captured_queries)
    third = rows(client.get(URL, {**params, "page": "3"}, HTTP_HX_REQUEST="true"))
    past_the_end = rows(client.get(URL, {**params, "page": "99"}, HTTP_HX_REQUEST="true"))
    assert past_the_end == third
    assert len(third) == 10
    nothing = client.get(URL, {"search": "karoseri"}, HTTP_HX_REQUEST="true")
    assert rows(nothing) == []
    assert "0 IKM found" in nothing.content.decode()


def test_the_canonical_query_drops_empty_and_default_values():
    params = QueryDict(
        "page=2&search=+bubut+&per_page=25&sort=-tkdn&regency=&province=33&province=32&x=1"
    )
    assert canonical_query(params) == "search=bubut&province=32&sort=-tkdn&page=2"
    assert canonical_query(QueryDict("per_page=10&page=1")) == "per_page=10"


# --- htmx ----------------------------------------------------------------------------------


def test_an_htmx_request_gets_only_the_table(client, kemenperin_user, catalogue):
    client.force_login(kemenperin_user)
    params = {"search": "", "province": "33", "regency": "", "per_page": "25", "page": "1"}
    response = client.get(URL, params, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Push-Url"] == f"{URL}?province=33"  # clean and shareable
    assert html.lstrip().startswith('<section id="directory-table"')
    assert "<html" not in html
    assert 'id="directory-filters"' not in html
    assert rows(response) == [catalogue["tegal"].pk]


def test_an_htmx_history_restore_gets_the_whole_page(client, kemenperin_user):
    client.force_login(kemenperin_user)
    response = client.get(URL, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    html = response.content.decode()
    assert "<html" in html
    assert 'id="directory-filters"' in html
    assert 'id="directory-table"' in html


def test_the_full_page_wires_htmx_to_the_table(client, kemenperin_user):
    html = get(client, kemenperin_user).content.decode()
    assert 'hx-target="#directory-table"' in html
    assert 'hx-push-url="true"' in html
    assert reverse("ikm:regency-options") in html


# --- Query count ----------------------------------------------------------------------


def _queries(client, params) -> int:
    search.clear_caches()  # the same work for both page sizes
    with CaptureQueriesContext(connection) as context:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "params", [{}, {"search": "bubut", "province": "32", "certification": "ISO9001"}]
)
def test_the_query_count_does_not_grow_with_the_page(client, kemenperin_user, params):
    for _n in range(100):
        ikm = IkmFactory(products="jasa bubut poros", processes=["pemesinan", "stamping"])
        CertificateFactory(ikm=ikm)
    client.force_login(kemenperin_user)
    at_10 = _queries(client, {**params, "per_page": "10"})
    at_100 = _queries(client, {**params, "per_page": "100"})
    assert at_10 == at_100
    response = client.get(URL, {**params, "per_page": "100"})
    assert len(rows(response)) == 100


def test_table_columns_are_the_published_ones():
    assert list(IkmDirectoryTable.base_columns) == [
        "name",
        "location",
        "size_class",
        "processes",
        "certifications",
        "monthly_capacity",
        "tkdn",
    ]


def test_the_fast_rows_equal_django_tables2_rendering(kemenperin_user):
    from ikm.directory import directory_queryset

    ikm = IkmFactory(monthly_capacity=1200, capacity_unit="set", tkdn=Decimal("41.50"))
    CertificateFactory(ikm=ikm, valid_from=None, valid_until=None)
    IkmFactory(monthly_capacity=None, tkdn=None, processes=[])
    table = IkmDirectoryTable(directory_queryset(kemenperin_user))
    table.paginate(per_page=25)
    generic = [[str(cell) for cell in row] for row in table.paginated_rows]
    fast = [[str(html) for _css, html in cells] for cells in table.page_cells]
    assert fast == generic
    assert len(fast) == 2


# --- Benchmark commands -------------------------------------------------------------------


def test_generate_synthetic_creates_and_deletes_realistic_ikm():
    IkmFactory(name="CV Nyata")
    out = StringIO()
    call_command("generate_synthetic", ikm=60, seed=3, stdout=out)
    synthetic = IKM.objects.filter(nib__startswith="97")
    assert synthetic.count() == 60
    assert not synthetic.filter(search_vector__isnull=True).exists()  # the trigger ran
    assert IKM.kbli.through.objects.filter(ikm__in=synthetic).exists()
    assert IKM.processes.through.objects.filter(ikm__in=synthetic).count() >= 60
    assert synthetic.filter(certificates__isnull=False).exists()
    assert set(synthetic.values_list("province_id", flat=True)) & {"31", "32", "33", "35", "36"}
    for ikm in synthetic[:20]:
        ikm.full_clean()  # valid records, as a form or the API would make them
    call_command("generate_synthetic", ikm=5, seed=3, stdout=out)  # the NIB range continues
    assert synthetic.count() == 65
    call_command("generate_synthetic", delete=True, stdout=out)
    assert not synthetic.exists()
    assert IKM.objects.filter(name="CV Nyata").exists()


def test_bench_directory_reports_times_and_equal_query_counts():
    call_command("generate_synthetic", ikm=40, seed=1, stdout=StringIO())
    out = StringIO()
    call_command("bench_directory", requests=5, stdout=out)
    text = out.getvalue()
    assert "directory page (search+2 filters)" in text
    assert "p95" in text
    assert re.search(r"SQL queries at page size 10: (\d+), at 100: \1 \(equal\)", text)
