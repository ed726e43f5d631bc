"""A buyer's officer requests a Link & Match meeting with an IKM from a suggestion of
their need or from the IKM page: the chooser lists the upcoming events where both are
approved participants with sessions, and a POST books the first free slot."""

import datetime
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from ikm.models import IKM
from kemitraan import event_services as services
from kemitraan.models import BuyerProfile, EventSession, Meeting

from ..factories import (
    DemandFactory,
    IkmFactory,
    LinkMatchEventFactory,
    MatchSuggestionFactory,
    UserFactory,
)
from .test_demand_views import row_of

pytestmark = pytest.mark.django_db

URL = reverse("kemitraan:meeting-request-for")


def chooser(ikm, suggestion=None) -> str:
    query = {"ikm": ikm.pk}
    if suggestion is not None:
        query["saran"] = suggestion.pk
    return f"{URL}?{urlencode(query)}"


def make_event(name, *, days=2, sessions=True):
    day = timezone.localdate() + datetime.timedelta(days=days)
    event = LinkMatchEventFactory(name=name, kind="business_matching", start_date=day, end_date=day)
    if sessions:
        EventSession.objects.create(
            event=event,
            date=day,
            start_time=datetime.time(9, 0),
            end_time=datetime.time(10, 0),
            slot_minutes=30,
            tables=2,
        )
    return event


def register(event, staff, *parties):
    for party in parties:
        key = "buyer" if isinstance(party, BuyerProfile) else "ikm"
        services.participant_register(event=event, actor=staff, **{key: party})


def officer_user(buyer):
    return UserFactory(role=Role.PENGADAAN, organisation=buyer.organisation)


@pytest.fixture
def buyer(buyer_org):
    return BuyerProfile.objects.get(organisation=buyer_org)


@pytest.fixture
def other_buyer(other_buyer_org):
    return BuyerProfile.objects.get(organisation=other_buyer_org)


@pytest.fixture
def ikm():
    return IkmFactory()


@pytest.fixture
def suggestion(buyer, ikm):
    return MatchSuggestionFactory(demand=DemandFactory(buyer=buyer), ikm=ikm, rank=1)


@pytest.fixture
def event(kemenperin_user, buyer, ikm):
    event = make_event("Acara Cocok")
    register(event, kemenperin_user, buyer, ikm)
    return event


@pytest.fixture
def officer(client, pengadaan_user):
    client.force_login(pengadaan_user)
    return client


def test_the_chooser_lists_only_the_qualifying_events(
    officer, kemenperin_user, event, buyer, other_buyer, ikm
):
    past = make_event("Acara Lalu", days=-3)
    register(past, kemenperin_user, buyer, ikm)
    no_sessions = make_event("Acara Tanpa Sesi", sessions=False)
    register(no_sessions, kemenperin_user, buyer, ikm)
    without_ikm = make_event("Acara Tanpa IKM")
    register(without_ikm, kemenperin_user, buyer)
    other = make_event("Acara Pembeli Lain")
    register(other, kemenperin_user, other_buyer, ikm)
    pending = make_event("Acara Menunggu")
    register(pending, kemenperin_user, ikm)
    services.participant_register(event=pending, actor=officer_user(buyer), buyer=buyer)

    response = officer.get(chooser(ikm))
    assert response.status_code == 200
    assert [e.pk for e in response.context["events"]] == [event.pk]
    html = response.content.decode()
    assert "Acara Cocok" in html
    assert f'name="event" value="{event.pk}"' in html


def test_without_a_qualifying_event_it_says_so_and_links_to_the_events(officer, ikm):
    response = officer.get(chooser(ikm))
    assert response.status_code == 200
    assert response.context["events"] == []
    assert reverse("kemitraan:event-list") in response.content.decode()


def test_post_requests_the_meeting_linked_to_the_suggestion(
    officer, pengadaan_user, event, buyer, ikm, suggestion
):
    response = officer.post(chooser(ikm, suggestion), {"event": event.pk}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("kemitraan:event-meetings", args=[event.pk])
    meeting = Meeting.objects.get()
    assert (meeting.event, meeting.buyer, meeting.ikm) == (event, buyer, ikm)
    assert meeting.suggestion == suggestion
    assert meeting.requested_by == pengadaan_user
    assert meeting.status == Meeting.Status.REQUESTED
    assert [str(m) for m in response.context["messages"]]


def test_post_from_the_ikm_page_has_no_suggestion(officer, event, ikm):
    response = officer.post(chooser(ikm), {"event": event.pk})
    assert response.status_code == 302
    assert Meeting.objects.get().suggestion is None


def test_post_for_an_event_that_does_not_qualify_is_404(officer, kemenperin_user, buyer, ikm):
    other = make_event("Acara Tanpa IKM")
    register(other, kemenperin_user, buyer)
    assert officer.post(chooser(ikm), {"event": other.pk}).status_code == 404
    assert not Meeting.objects.exists()


def test_another_buyers_suggestion_is_404(officer, event, other_buyer, ikm):
    theirs = MatchSuggestionFactory(demand=DemandFactory(buyer=other_buyer), ikm=ikm)
    assert officer.get(chooser(ikm, theirs)).status_code == 404
    assert officer.post(chooser(ikm, theirs), {"event": event.pk}).status_code == 404
    assert not Meeting.objects.exists()


def test_a_suggestion_for_another_ikm_is_404(officer, event, ikm, suggestion):
    other_ikm = IkmFactory()
    assert officer.get(chooser(other_ikm, suggestion)).status_code == 404


def test_an_ikm_the_officer_cannot_see_is_404(officer):
    draft = IkmFactory(verification_status=IKM.Status.DRAFT)
    assert officer.get(chooser(draft)).status_code == 404
    assert officer.get(f"{URL}?ikm=abc").status_code == 404
    assert officer.get(URL).status_code == 404


@pytest.mark.parametrize("role", [Role.KEMENPERIN, Role.KADIN, Role.PEMBIAYAAN])
def test_other_roles_get_403(client, users_by_role, ikm, role):
    client.force_login(users_by_role[role])
    assert client.get(chooser(ikm)).status_code == 403


def test_an_officer_without_a_buyer_profile_gets_403(client, lender_org, ikm):
    client.force_login(UserFactory(role=Role.PENGADAAN, organisation=lender_org))
    assert client.get(chooser(ikm)).status_code == 403


def test_anonymous_is_sent_to_log_in(client, ikm):
    response = client.get(chooser(ikm))
    assert response.status_code == 302
    assert "/masuk/" in response["Location"]


def test_the_button_is_on_the_suggestion_row_for_the_owner_only(
    client, pengadaan_user, kemenperin_user, suggestion
):
    link = f"{URL}?ikm={suggestion.ikm_id}&amp;saran={suggestion.pk}"
    page = reverse("kemitraan:demand-detail", args=[suggestion.demand_id])
    client.force_login(pengadaan_user)
    assert link in row_of(client.get(page).content.decode(), suggestion)
    client.force_login(kemenperin_user)
    response = client.get(page)
    assert response.status_code == 200
    assert URL not in row_of(response.content.decode(), suggestion)


def test_no_button_on_a_dismissed_row(client, pengadaan_user, suggestion):
    suggestion.status = "dismissed"
    suggestion.dismissed_reason = "Terlalu jauh"
    suggestion.save()
    client.force_login(pengadaan_user)
    html = client.get(reverse("kemitraan:demand-detail", args=[suggestion.demand_id]))
    assert f"saran={suggestion.pk}" not in html.content.decode()


def test_the_row_returned_to_htmx_keeps_the_button(client, pengadaan_user, suggestion):
    client.force_login(pengadaan_user)
    response = client.post(
        reverse("kemitraan:suggestion-shortlist", args=[suggestion.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert f"saran={suggestion.pk}" in response.content.decode()


def test_the_ikm_page_has_the_button_for_officers_only(client, users_by_role, ikm):
    page = reverse("ikm:detail", args=[ikm.pk])
    link = re.escape(f"{URL}?ikm={ikm.pk}") + r'"'
    for role in Role:
        client.force_login(users_by_role[role])
        response = client.get(page)
        assert response.status_code == 200, role
        assert bool(re.search(link, response.content.decode())) == (role == Role.PENGADAAN), role
