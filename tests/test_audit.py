"""The audit trail: the client address on every history record, and the audit page
(``/dasbor/audit/``) listing changes and contact reveals with who, what, when and from where."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.text import capfirst

from accounts.models import Organisation
from accounts.roles import Role
from dasbor import audit
from ikm.models import IKM, ContactReveal
from ikm.services import ikm_verify
from kemitraan.models import EventParticipant

from .factories import (
    AkadKreditFactory,
    BuyerProfileFactory,
    CertificateFactory,
    DemandFactory,
    IkmFactory,
    LinkMatchEventFactory,
    MouParticipantFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PAGE = "/dasbor/audit/"
CLIENT_IP = "203.0.113.7"  # documentation range (RFC 5737)
PHONE, EMAIL = "+6281234509876", "narahubung.audit@contoh.example"


def _latest(model, pk):
    return model.history.filter(id=pk).order_by("-history_date", "-history_id").first()


# --- "From where" on history records ----------------------------------------------------------


def test_a_change_through_a_view_records_the_client_address(client, kemenperin_user):
    ikm = IkmFactory(verification_status="submitted")
    client.force_login(kemenperin_user)
    response = client.post(f"/ikm/{ikm.pk}/verifikasi/", REMOTE_ADDR=CLIENT_IP)
    assert response.status_code == 302
    record = _latest(IKM, ikm.pk)
    assert record.verification_status == "verified"
    assert record.history_user == kemenperin_user
    assert record.ip_address == CLIENT_IP


def test_a_service_call_without_a_request_records_no_address(kemenperin_user):
    ikm = IkmFactory(verification_status="submitted")
    ikm_verify(ikm=ikm, actor=kemenperin_user)
    record = _latest(IKM, ikm.pk)
    assert record.verification_status == "verified"
    assert record.history_user == kemenperin_user
    assert record.ip_address is None


def test_forwarded_for_is_ignored_without_a_trusted_proxy(client, kemenperin_user, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    ikm = IkmFactory(verification_status="submitted")
    client.force_login(kemenperin_user)
    client.post(
        f"/ikm/{ikm.pk}/verifikasi/", REMOTE_ADDR=CLIENT_IP, HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    assert _latest(IKM, ikm.pk).ip_address == CLIENT_IP


def test_behind_the_proxy_the_address_it_appended_is_recorded(client, kemenperin_user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    ikm = IkmFactory(verification_status="submitted")
    client.force_login(kemenperin_user)
    client.post(
        f"/ikm/{ikm.pk}/verifikasi/",
        REMOTE_ADDR="127.0.0.1",  # the proxy
        HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.50",  # forged entry, then the client
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert _latest(IKM, ikm.pk).ip_address == "203.0.113.50"


def test_a_malformed_address_does_not_break_the_change(client, kemenperin_user):
    ikm = IkmFactory(verification_status="submitted")
    client.force_login(kemenperin_user)
    assert client.post(f"/ikm/{ikm.pk}/verifikasi/", REMOTE_ADDR="unknown").status_code == 302
    record = _latest(IKM, ikm.pk)
    assert record.verification_status == "verified" and record.ip_address is None


# --- Who may read the page -----------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/masuk/" in response["Location"]


@pytest.mark.parametrize(
    ("role_user", "status"),
    [
        ("kemenperin_user", 200),
        ("kadin_user", 200),
        ("pengadaan_user", 403),
        ("pembiayaan_user", 403),
    ],
)
def test_only_kemenperin_and_kadin_read_the_page(request, client, role_user, status):
    client.force_login(request.getfixturevalue(role_user))
    assert client.get(PAGE).status_code == status


def test_a_user_without_a_role_is_refused(client):
    client.force_login(UserFactory())
    assert client.get(PAGE).status_code == 403


# --- What the page shows -------------------------------------------------------------------


def test_the_page_lists_a_change_and_a_reveal_with_who_what_when_where(
    client, kemenperin_user, kadin_user
):
    ikm = IkmFactory(
        name="CV Audit Logam",
        verification_status="submitted",
        contact_name="Budi Narahubung",
        contact_phone=PHONE,
        contact_email=EMAIL,
    )
    client.force_login(kemenperin_user)
    client.post(f"/ikm/{ikm.pk}/verifikasi/", REMOTE_ADDR=CLIENT_IP)
    client.force_login(kadin_user)
    assert PHONE in client.post(f"/ikm/{ikm.pk}/kontak/", REMOTE_ADDR="198.51.100.20").text

    response = client.get(PAGE)
    assert response.status_code == 200
    entries = response.context["entries"]
    reveal, change = entries[0], entries[1]  # newest first

    assert reveal.action == audit.REVEALED
    assert reveal.user == kadin_user and reveal.object_label == "CV Audit Logam"
    assert reveal.ip_address == "198.51.100.20"

    assert change.source.key == "ikm.ikm" and change.action == "~"
    assert change.user == kemenperin_user and change.object_label == "CV Audit Logam"
    assert change.ip_address == CLIENT_IP
    assert change.at <= reveal.at <= timezone.now()
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        status_label = str(capfirst(IKM._meta.get_field("verification_status").verbose_name))
    assert status_label in change.changed
    assert len(change.changed) < 6  # only what this change touched, not every field

    page = response.text
    for shown in (
        kemenperin_user.username,
        kemenperin_user.organisation.name,
        kadin_user.username,
        "CV Audit Logam",
        CLIENT_IP,
        "198.51.100.20",
        status_label,
    ):
        assert shown in page
    # The reveal is "who opened which IKM's contact", never the contact itself.
    for personal in (PHONE, EMAIL, "Budi Narahubung"):
        assert personal not in page


def test_created_and_deleted_records_show_no_field_list(kemenperin_user):
    organisation = Organisation(name="PT Sementara", kind="kemenperin")
    organisation._history_user = kemenperin_user
    organisation.save()
    organisation._history_user = kemenperin_user
    organisation.delete()
    entries = audit.audit_page(audit.AuditFilters(kind="accounts.organisation")).entries
    deleted, created = entries[0], entries[1]
    assert (deleted.action, created.action) == ("-", "+")
    assert deleted.object_label == created.object_label == "PT Sementara"
    assert deleted.changed == created.changed == []


def test_a_many_to_many_change_is_named(kemenperin_user):
    ikm = IkmFactory(kbli=["29300"])
    ikm._history_user = kemenperin_user
    ikm.kbli.set(["25920"])
    entry = audit.audit_page(
        audit.AuditFilters(kind="ikm.ikm", user_id=kemenperin_user.pk, action="~")
    ).entries[0]
    assert str(capfirst(IKM._meta.get_field("kbli").verbose_name)) in entry.changed


# --- Filters -------------------------------------------------------------------------------


def _at(day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2020, 3, day, hour, tzinfo=datetime.UTC)


@pytest.fixture
def trail(db):
    """A small hand-made trail in March 2020, before anything else the tests create."""
    alice = UserFactory(role=Role.KEMENPERIN, organisation=OrganisationFactory(kind="kemenperin"))
    bob = UserFactory(role=Role.KADIN, organisation=OrganisationFactory(kind="kadin"))

    def save(obj, user, when):
        obj._history_user, obj._history_date = user, when
        obj.save()

    kept = Organisation(name="PT Tetap", kind="kemenperin")
    save(kept, alice, _at(1))  # + by alice, 1 March
    kept.name = "PT Tetap Jaya"
    save(kept, bob, _at(2))  # ~ by bob, 2 March
    gone = Organisation(name="PT Hilang", kind="kemenperin")
    save(gone, bob, _at(3))  # + by bob, 3 March
    gone._history_user, gone._history_date = alice, _at(4)
    gone.delete()  # - by alice, 4 March
    ikm = IkmFactory(name="CV Jejak")
    reveal = ContactReveal.objects.create(user=alice, ikm=ikm, ip_address=CLIENT_IP)
    ContactReveal.objects.filter(pk=reveal.pk).update(created_at=_at(5))  # reveal by alice
    return {"alice": alice, "bob": bob}


def _march(**filters):
    filters.setdefault("date_from", datetime.date(2020, 3, 1))
    filters.setdefault("date_to", datetime.date(2020, 3, 31))
    entries = audit.audit_page(audit.AuditFilters(**filters)).entries
    return [(e.source.key, e.action, e.object_label, e.user.username) for e in entries]


def test_filter_by_date_range(trail):
    alice, bob = trail["alice"].username, trail["bob"].username
    assert _march() == [
        ("ikm.contactreveal", "reveal", "CV Jejak", alice),
        ("accounts.organisation", "-", "PT Hilang", alice),
        ("accounts.organisation", "+", "PT Hilang", bob),
        ("accounts.organisation", "~", "PT Tetap Jaya", bob),
        ("accounts.organisation", "+", "PT Tetap", alice),
    ]
    from_second = _march(date_from=datetime.date(2020, 3, 2), date_to=datetime.date(2020, 3, 4))
    assert [row[1] for row in from_second] == ["-", "+", "~"]
    assert _march(date_to=datetime.date(2020, 3, 1)) == [
        ("accounts.organisation", "+", "PT Tetap", alice)
    ]


def test_filter_by_user_kind_and_action(trail):
    alice, bob = trail["alice"], trail["bob"]
    assert [r[1] for r in _march(user_id=alice.pk)] == ["reveal", "-", "+"]
    assert [r[1] for r in _march(user_id=bob.pk)] == ["+", "~"]
    assert [r[0] for r in _march(kind="ikm.contactreveal")] == ["ikm.contactreveal"]
    assert _march(action="-") == [("accounts.organisation", "-", "PT Hilang", alice.username)]
    assert _march(action="~", user_id=alice.pk) == []


def test_the_page_filters_by_query_parameters(client, trail):
    alice = trail["alice"]
    client.force_login(alice)
    response = client.get(
        PAGE,
        {
            "kind": "accounts.organisation",
            "user": alice.pk,
            "action": "created",
            "date_from": "2020-03-01",
            "date_to": "2020-03-31",
        },
    )
    entries = response.context["entries"]
    assert [(e.action, e.object_label) for e in entries] == [("+", "PT Tetap")]
    assert "PT Hilang" not in response.text


def test_an_invalid_filter_shows_everything_and_the_error(client, trail):
    client.force_login(trail["alice"])
    response = client.get(PAGE, {"date_from": "2020-03-05", "date_to": "2020-03-01"})
    assert response.context["form"].errors
    # In Indonesian, under the end date.
    message = "Akhir periode tidak boleh sebelum awalnya."
    assert response.context["form"].errors["date_to"] == [message]
    assert message in response.content.decode()
    assert len(response.context["entries"]) >= 5


# --- Pages ---------------------------------------------------------------------------------


def test_pages_follow_each_other_without_gaps_or_repeats_even_on_equal_times(kemenperin_user):
    """Imports write many records with one timestamp, across tables: the cursor must still
    give each row exactly once."""
    when = _at(20)
    for n in range(7):
        organisation = Organisation(name=f"PT Serentak {n}", kind="kemenperin")
        organisation._history_date = when
        organisation.save()
    ikm = IkmFactory()
    reveals = [ContactReveal.objects.create(user=kemenperin_user, ikm=ikm) for _ in range(5)]
    ContactReveal.objects.filter(pk__in=[r.pk for r in reveals]).update(created_at=when)

    filters = audit.AuditFilters(date_from=when.date(), date_to=when.date())
    seen, after, sizes = [], None, []
    while True:
        page = audit.audit_page(filters, after=after, size=5)
        sizes.append(len(page.entries))
        seen += [(e.source.key, e.pk) for e in page.entries]
        if page.next_cursor is None:
            break
        after = audit.Cursor.decode(page.next_cursor.encode())
    assert sizes == [5, 5, 2]
    assert len(seen) == len(set(seen)) == 12


def test_the_older_link_carries_no_personal_data(client, kemenperin_user):
    kemenperin_user.email = "staf.audit@contoh.example"
    kemenperin_user.save()
    for n in range(audit.PAGE_SIZE + 1):
        organisation = Organisation(name=f"PT Halaman {n}", kind="kemenperin")
        organisation._history_user = kemenperin_user
        organisation.save()
    client.force_login(kemenperin_user)
    response = client.get(PAGE, {"user": kemenperin_user.pk})
    next_url = response.context["next_url"]
    assert next_url and f"user={kemenperin_user.pk}" in next_url
    assert kemenperin_user.username not in next_url and "@" not in next_url
    older = client.get(PAGE + next_url)
    assert [e.object_label for e in older.context["entries"]] == ["PT Halaman 0"]


def test_a_forged_cursor_gives_the_first_page(client, kemenperin_user):
    client.force_login(kemenperin_user)
    assert client.get(PAGE, {"before": "'; drop table x"}).status_code == 200
    assert client.get(PAGE, {"before": "2020-01-01T00:00:00~nope.model~1"}).status_code == 200


# --- Query count ---------------------------------------------------------------------------


def _make_rows(actor, count, objects):
    """``count`` rows by ``actor``, spread over seven kinds: changes of six models, most named
    from related rows (one or two steps away), and contact reveals."""
    ikm, demand, participant, mou_participant, certificate, akad = objects
    for n in range(count):
        match n % 7:
            case 0:
                ikm.name = f"CV Hitung {n}"
                target = ikm
            case 1:
                demand.title = f"Kebutuhan {n}"
                target = demand
            case 2:
                participant.reason = f"Catatan {n}"
                target = participant
            case 3:
                mou_participant.committed_market_access += 1
                target = mou_participant
            case 4:
                certificate.number = f"QMS-HITUNG-{n}"
                target = certificate
            case 5:
                akad.tenor_months = 12 + n
                target = akad
            case _:
                ContactReveal.objects.create(user=actor, ikm=ikm, ip_address=CLIENT_IP)
                continue
        target._history_user = actor
        target.save()


def _page_queries(client, actor):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PAGE, {"user": actor.pk})
    assert response.status_code == 200
    return len(queries), len(response.context["entries"])


def test_the_query_count_does_not_grow_with_the_rows(client, kemenperin_user):
    actor = UserFactory(role=Role.KEMENPERIN, organisation=OrganisationFactory(kind="kemenperin"))
    objects = (
        IkmFactory(),
        DemandFactory(),
        EventParticipant.objects.create(event=LinkMatchEventFactory(), buyer=BuyerProfileFactory()),
        MouParticipantFactory(),
        CertificateFactory(),
        AkadKreditFactory(),
    )
    client.force_login(kemenperin_user)
    _make_rows(actor, 10, objects)
    few, shown = _page_queries(client, actor)
    assert shown == 10
    _make_rows(actor, 40, objects)
    many, shown = _page_queries(client, actor)
    assert shown == 50
    assert many == few
    # and the names came from the fetched rows, not from a query per row
    entries = client.get(PAGE, {"user": actor.pk}).context["entries"]
    labels = {}
    for entry in entries:  # the newest row of each kind names the object as it is now
        labels.setdefault(entry.source.key, entry.object_label)
    assert len(labels) == 7
    for obj in objects:
        fresh = type(obj).objects.get(pk=obj.pk)
        assert labels[fresh._meta.label_lower] == str(fresh)
