"""Middleware of the accounts app: the language and the second factor's code."""

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.urls import NoReverseMatch, reverse

from .two_factor import OTP_PENDING_SESSION_KEY


class IgnoreAcceptLanguageMiddleware:
    """Indonesian by default, English on request.

    Django's LocaleMiddleware would follow the browser's Accept-Language header, so an
    officer whose browser happens to be set to English would get English pages. The
    platform speaks Indonesian unless the user chooses English with the language switch
    (which sets the language cookie), so the header is dropped before LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class OtpVerificationMiddleware:
    """A signed-in user who set up an authenticator app enters its code before any page.

    Runs after django-otp's OTPMiddleware (which tells whether this session entered a code).
    Only sessions marked at sign-in (``accounts.two_factor.mark_pending``) are looked at, so
    it costs other users nothing. The code page, signing out, the language switch, static files
    and the health probe stay reachable.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt = None

    def __call__(self, request):
        if self._must_verify(request):
            return redirect_to_login(
                request.get_full_path(), reverse("two-factor-verify"), REDIRECT_FIELD_NAME
            )
        return self.get_response(request)

    def _must_verify(self, request) -> bool:
        session = getattr(request, "session", None)
        if session is None or not session.get(OTP_PENDING_SESSION_KEY):
            return False
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return False
        return not request.path_info.startswith(self.exempt_prefixes())

    def exempt_prefixes(self) -> tuple[str, ...]:
        if self._exempt is None:
            static = settings.STATIC_URL or "/static/"
            prefixes = [static if static.startswith("/") else f"/{static}"]
            for name in ("two-factor-verify", "logout", "set_language", "health"):
                try:
                    prefixes.append(reverse(name))
                except NoReverseMatch:
                    continue
            self._exempt = tuple(prefixes)
        return self._exempt
