"""Authentication backends."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS.

    Every sign-in over the web (the sign-in page, the admin's) passes the request, and is
    checked. ``authenticate()`` without a request comes only from code (the test client's
    ``login()``, a shell): there is no client address to throttle, so it is left to the next
    backend instead of failing, as the stock backend does.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
