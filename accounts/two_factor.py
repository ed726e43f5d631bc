"""Optional second factor: a TOTP authenticator app (django-otp) for Kemenperin and KADIN users.

A user turns it on at /verifikasi-dua-langkah/ by scanning the secret and confirming one code.
From then on, after the password, every session asks for a current code before any other page
(:class:`accounts.middleware.OtpVerificationMiddleware`). Whether a session still owes its code
is decided once, at sign-in, and kept in the session, so other users' requests cost no query.
"""

from base64 import b32encode

import segno
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from .roles import Role

# Roles that may set up a second factor.
TWO_FACTOR_ROLES = (Role.KEMENPERIN, Role.KADIN)
# Set at sign-in when the user has a confirmed device; removed once the code is entered.
OTP_PENDING_SESSION_KEY = "kemitraan_otp_pending"
DEVICE_NAME = "Kemitraan"


def can_set_up(user) -> bool:
    return user.has_role(*TWO_FACTOR_ROLES)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user) -> TOTPDevice:
    """The user's unconfirmed device, created with a new random key when there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def remove_devices(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an authenticator app."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI as a QR code, an SVG data: URI (made here, no outside service)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2)


@receiver(user_logged_in, dispatch_uid="accounts.two_factor.mark_pending")
def mark_pending(sender, request, user, **kwargs):
    """After the password: a user with a confirmed device owes a code in this session."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if user_has_device(user, confirmed=True):
        session[OTP_PENDING_SESSION_KEY] = True
    else:
        session.pop(OTP_PENDING_SESSION_KEY, None)
