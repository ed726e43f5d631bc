"""Optional second factor: an authenticator app (TOTP) for Kemenperin and KADIN users.

Codes are computed from the device's key as the phone app would (django_otp.oath.totp)."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from accounts.roles import Role

pytestmark = pytest.mark.django_db

PASSWORD = "kata-sandi-uji-123"  # UserFactory's
SETUP = "/verifikasi-dua-langkah/"
VERIFY = "/verifikasi-dua-langkah/kode/"


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the app shows now (or that many 30-second steps later)."""
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=device.drift + steps_ahead,
    )
    return f"{value:0{device.digits}d}"


def wrong(device: TOTPDevice) -> str:
    return f"{(int(code(device)) + 500_000) % 1_000_000:06d}"


def sign_in(client, user):
    response = client.post("/masuk/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


@pytest.fixture
def protected_user(kemenperin_user):
    """A Kemenperin user whose authenticator app is set up."""
    TOTPDevice.objects.create(user=kemenperin_user, name="Kemitraan", confirmed=True)
    return kemenperin_user


# --- Setting it up ------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.KEMENPERIN, Role.KADIN])
def test_kemenperin_and_kadin_users_set_up_an_authenticator_app(client, users_by_role, role):
    user = users_by_role[role]
    client.force_login(user)
    page = client.get(SETUP)
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    html = page.content.decode()
    secret = page.context["secret"]
    assert secret.replace(" ", "") in device.config_url  # the same key as in the otpauth URI
    assert secret in html
    assert "otpauth://totp/Kemitraan%3A" in html
    assert 'src="data:image/svg+xml' in html  # the QR code, made on the server

    response = client.post(SETUP, {"code": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    # This session is verified: pages open without asking for a code.
    assert client.get("/ikm/").status_code == 200
    assert client.get(SETUP).context["enabled"] is True


def test_a_wrong_code_does_not_turn_it_on(client, kemenperin_user):
    client.force_login(kemenperin_user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=kemenperin_user)
    response = client.post(SETUP, {"code": wrong(device)})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    device.refresh_from_db()
    assert not device.confirmed
    # Signing in again asks for nothing: no device is confirmed.
    client.logout()
    sign_in(client, kemenperin_user)
    assert client.get("/ikm/").status_code == 200


@pytest.mark.parametrize("role", [Role.PENGADAAN, Role.PEMBIAYAAN])
def test_other_roles_cannot_set_it_up(client, users_by_role, role):
    user = users_by_role[role]
    client.force_login(user)
    assert client.get(SETUP).status_code == 403
    assert client.post(SETUP, {"code": "123456"}).status_code == 403
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_the_menu_offers_it_only_to_kemenperin_and_kadin(client, users_by_role):
    client.force_login(users_by_role[Role.KADIN])
    assert f'href="{SETUP}"' in client.get("/dasbor/").content.decode()
    client.force_login(users_by_role[Role.PEMBIAYAAN])
    assert f'href="{SETUP}"' not in client.get("/pembiayaan/akad/").content.decode()


# --- Signing in with it -------------------------------------------------------------


def test_after_the_password_every_page_asks_for_the_code(client, protected_user):
    sign_in(client, protected_user)
    for path in ("/", "/ikm/", "/dasbor/", SETUP, "/admin/", "/api/v1/me/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{VERIFY}?next="), path
    page = client.get(VERIFY)
    assert page.status_code == 200
    # Signing out, static files and the health probe stay reachable.
    assert client.get("/static/js/kemitraan.js").status_code == 200
    assert client.get("/health/?format=json").status_code == 200
    assert client.post("/keluar/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_right_code_opens_the_requested_page(client, protected_user):
    device = TOTPDevice.objects.get(user=protected_user)
    sign_in(client, protected_user)
    asked = client.get("/ikm/")
    response = client.post(asked["Location"], {"code": code(device), "next": "/ikm/"})
    assert response.status_code == 302
    assert response["Location"] == "/ikm/"
    assert client.get("/ikm/").status_code == 200
    assert client.get("/dasbor/").status_code == 200


def test_a_wrong_code_keeps_the_user_out(client, protected_user):
    device = TOTPDevice.objects.get(user=protected_user)
    sign_in(client, protected_user)
    response = client.post(VERIFY, {"code": wrong(device), "next": "/ikm/"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert client.get("/ikm/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # repeated guesses are slowed down


def test_a_code_is_accepted_only_once(client, protected_user):
    device = TOTPDevice.objects.get(user=protected_user)
    used = code(device)
    sign_in(client, protected_user)
    assert client.post(VERIFY, {"code": used}).status_code == 302
    client.post("/keluar/")
    sign_in(client, protected_user)
    response = client.post(VERIFY, {"code": used})
    assert response.status_code == 200
    assert client.get("/ikm/").status_code == 302


def test_the_code_page_never_redirects_off_site(client, protected_user):
    device = TOTPDevice.objects.get(user=protected_user)
    sign_in(client, protected_user)
    response = client.post(VERIFY, {"code": code(device), "next": "https://jahat.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_users_without_an_app_are_never_asked(client, kadin_user):
    sign_in(client, kadin_user)
    assert client.get("/dasbor/").status_code == 200
    response = client.get(VERIFY)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_api_tokens_work_without_a_code(client, protected_user):
    token = Token.objects.create(user=protected_user)
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


def test_turning_it_off_needs_a_current_code(client, protected_user):
    device = TOTPDevice.objects.get(user=protected_user)
    sign_in(client, protected_user)
    client.post(VERIFY, {"code": code(device)})
    assert client.get(SETUP).context["enabled"] is True
    # The code just used cannot be used again (see above): the app's next one.
    device.refresh_from_db()  # its clock drift as learnt from the code
    response = client.post(SETUP, {"code": code(device, steps_ahead=1)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=protected_user).exists()
    client.post("/keluar/")
    sign_in(client, protected_user)
    assert client.get("/ikm/").status_code == 200


def test_the_code_field_takes_spaces_and_refuses_letters(client, protected_user):
    device = TOTPDevice.objects.get(user=protected_user)
    sign_in(client, protected_user)
    letters = client.post(VERIFY, {"code": "abc123"})
    assert letters.status_code == 200
    assert letters.context["form"].errors["code"]
    device.refresh_from_db()
    assert device.throttling_failure_count == 0  # refused before any guess is counted
    spaced = re.sub(r"(\d{3})(\d{3})", r"\1 \2", code(device))
    assert client.post(VERIFY, {"code": spaced}).status_code == 302
