"""Who is signing in from where: the client address used by sign-in throttling."""

from django.conf import settings


def client_ip_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind ``TRUSTED_PROXY_COUNT`` reverse proxies the
    address the outermost of them appended to X-Forwarded-For.

    Entries left of those the trusted proxies appended are sent by the client and can be
    forged, so only the one the proxies vouch for is used.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
