"""Who is signing in from where: the client address used by sign-in throttling."""

import ipaddress

from django.conf import settings


def client_ip_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind ``TRUSTED_PROXY_COUNT`` reverse proxies the
    address the outermost of them appended to X-Forwarded-For.

    Entries left of those the trusted proxies appended are sent by the client and can be
    forged, so only the one the proxies vouch for is used. Anything that is not an IP address
    ("unknown", "host:port") is passed over for REMOTE_ADDR, and None when that is not one
    either: the address is stored in ``inet`` columns (throttling, the audit trail), and a
    malformed header must never stop a sign-in or a change.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count and (address := _ip(forwarded[-count])):
            return address
    return _ip(request.META.get("REMOTE_ADDR", ""))


def _ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None
