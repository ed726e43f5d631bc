"""Sign-in throttling (django-axes), password rules and session lifetime.

Five wrong passwords for one username from one address lock that username *from that
address* for 15 minutes; the same person elsewhere, and other people at the same address,
still sign in."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.html import escape
from rest_framework.authtoken.models import Token

from accounts.roles import Role
from accounts.security import client_ip_address
from accounts.views import lockout_message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "kata-sandi-uji-123"  # UserFactory's
OFFICE = "203.0.113.10"
ELSEWHERE = "198.51.100.20"


def sign_in(client, username, password, address, **extra):
    return client.post(
        "/masuk/", {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_five_times(client, username, address, **extra):
    responses = [sign_in(client, username, "salah-sekali", address, **extra) for _ in range(5)]
    assert [r.status_code for r in responses[:4]] == [200] * 4  # the form again, with its error
    return responses[-1]


def test_five_wrong_passwords_lock_that_username_from_that_address(client):
    user = UserFactory(role=Role.KEMENPERIN)
    fifth = fail_five_times(client, user.username, OFFICE)
    assert fifth.status_code == 429
    with translation.override("id"):
        message = lockout_message()
    html = fifth.content.decode()
    assert message in html
    assert f'value="{user.username}"' in html  # the username is kept in the form
    # Now even the right password is refused from that address.
    refused = sign_in(client, user.username, PASSWORD, OFFICE)
    assert refused.status_code == 429
    assert message in refused.content.decode()
    assert not signed_in(client)


def test_four_wrong_passwords_do_not_lock(client):
    user = UserFactory()
    for _ in range(4):
        sign_in(client, user.username, "salah-sekali", OFFICE)
    response = sign_in(client, user.username, PASSWORD, OFFICE)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_same_username_from_another_address_still_signs_in(client):
    user = UserFactory()
    fail_five_times(client, user.username, OFFICE)
    response = sign_in(client, user.username, PASSWORD, ELSEWHERE)
    assert response.status_code == 302
    assert signed_in(client)


def test_another_username_from_the_locked_address_still_signs_in(client):
    locked, colleague = UserFactory(), UserFactory()
    fail_five_times(client, locked.username, OFFICE)
    response = sign_in(client, colleague.username, PASSWORD, OFFICE)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_lock_ends_after_the_cool_off(client):
    user = UserFactory()
    fail_five_times(client, user.username, OFFICE)
    assert sign_in(client, user.username, PASSWORD, OFFICE).status_code == 429
    # The attempts age past the cool-off (15 minutes).
    earlier = timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1)
    assert AccessAttempt.objects.filter(username=user.username).update(attempt_time=earlier)
    response = sign_in(client, user.username, PASSWORD, OFFICE)
    assert response.status_code == 302
    assert signed_in(client)


def test_behind_the_proxy_each_client_address_counts_alone(client, settings):
    """Production: every request comes from the proxy; the client's address is the one the
    proxy appended to X-Forwarded-For. A forged entry in front of it changes nothing."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "192.0.2.1"
    user = UserFactory()
    for forged in ("192.0.2.50", "192.0.2.51", "192.0.2.52", "192.0.2.53", "192.0.2.54"):
        sign_in(client, user.username, "salah", proxy, HTTP_X_FORWARDED_FOR=f"{forged}, {OFFICE}")
    locked = sign_in(client, user.username, PASSWORD, proxy, HTTP_X_FORWARDED_FOR=OFFICE)
    assert locked.status_code == 429
    response = sign_in(client, user.username, PASSWORD, proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert response.status_code == 302


def test_a_malformed_forwarded_address_does_not_break_sign_in(client, settings):
    """Throttling stores the address in an inet column: a header that is no address must
    neither fail the sign-in (500) nor escape the lock."""
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    fifth = fail_five_times(client, user.username, "192.0.2.1", HTTP_X_FORWARDED_FOR="unknown")
    assert fifth.status_code == 429
    response = sign_in(client, user.username, PASSWORD, "192.0.2.1", HTTP_X_FORWARDED_FOR=OFFICE)
    assert response.status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "192.0.2.1"),
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "203.0.113.9, 198.51.100.1", "198.51.100.1"),
        (2, "203.0.113.9, 198.51.100.1, 192.0.2.7", "198.51.100.1"),
        (1, "", "192.0.2.1"),
        # Not an address (a proxy's "unknown", a port): the proxy's own address instead.
        (1, "unknown", "192.0.2.1"),
        (1, "203.0.113.9:4711", "192.0.2.1"),
        (1, "198.51.100.1, garbage", "192.0.2.1"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_client_address(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip_address(request) == expected


def test_the_test_client_login_and_force_login_still_work(client):
    user = UserFactory()
    assert client.login(username=user.username, password=PASSWORD)
    assert client.get("/ikm/").status_code in (200, 403)
    client.logout()
    client.force_login(user)
    assert signed_in(client)


def test_api_token_authentication_is_not_throttled(client):
    user = UserFactory(role=Role.PENGADAAN)
    fail_five_times(client, user.username, OFFICE)
    token = Token.objects.create(user=user)
    response = client.get(
        "/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}", REMOTE_ADDR=OFFICE
    )
    assert response.status_code == 200
    assert response.json()["username"] == user.username


# --- Password rules and session lifetime ----------------------------------------------


@pytest.mark.parametrize(
    ("new_password", "expected_error"),
    [("password123", "password_too_common"), ("Zq8#vLm2p", "password_too_short")],
    ids=["common", "nine-characters"],
)
def test_password_change_refuses_weak_passwords(client, new_password, expected_error):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/kata-sandi/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["new_password2"]
    assert expected_error in [error.code for error in errors]
    html = response.content.decode()
    for error in errors:  # shown next to the field, in Indonesian
        assert escape(" ".join(error.messages)) in html
    assert "kata sandi" in " ".join(" ".join(e.messages) for e in errors).lower()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not user.check_password(new_password)


def test_password_change_accepts_a_strong_password(client):
    user = UserFactory()
    client.force_login(user)
    new = "Zq8#vLm2pR"
    response = client.post(
        "/kata-sandi/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_the_session_cookie_lasts_session_cookie_age(client):
    user = UserFactory()
    response = sign_in(client, user.username, PASSWORD, OFFICE)
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    assert cookie["httponly"]
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
