"""Session idle expiry and the two-factor requirement for privileged roles."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from ura.apps.accounts.policy import requires_two_factor

_LAST_SEEN = "ura_last_seen"
# Django's session expiry slides forward on every saved request, and this middleware saves
# the session whenever it notes the user's activity; the sign-in time makes
# SESSION_COOKIE_AGE an absolute limit.
_SIGNED_IN_AT = "ura_signed_in_at"

#: How stale the noted last activity may grow before a request notes it again. Noting it
#: saves the session (an UPDATE and a commit); on every request that was three round trips
#: and a write per page or API call, for a timestamp an hour's idle limit needs to the
#: minute. The idle limit is therefore kept to within this margin: a session ends after
#: between ``URA_SESSION_IDLE_SECONDS - 60`` and ``URA_SESSION_IDLE_SECONDS`` seconds without
#: use, never later.
LAST_SEEN_RESOLUTION = 60

# Paths a signed-in user may open before completing two-factor verification.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/")


class TwoFactorRequiredMiddleware:
    """Ends idle and too old sessions; sends privileged users to TOTP enrolment or verification.

    Must come after django_otp's ``OTPMiddleware``, which sets ``request.user.is_verified``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(_LAST_SEEN)
            signed_in_at = request.session.setdefault(_SIGNED_IN_AT, now)
            idle = (
                isinstance(last_seen, int) and now - last_seen > settings.URA_SESSION_IDLE_SECONDS
            )
            too_old = (
                isinstance(signed_in_at, int) and now - signed_in_at > settings.SESSION_COOKIE_AGE
            )
            if idle or too_old:
                logout(request)
                return redirect(f"{reverse('accounts:login')}?expired=1")
            if not isinstance(last_seen, int) or now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[_LAST_SEEN] = now
            if (
                not request.path.startswith(_OPEN_PREFIXES)
                and requires_two_factor(user)
                and not user.is_verified()  # type: ignore[attr-defined]  # OTPMiddleware adds it
            ):
                return redirect("accounts:two_factor")
        return self.get_response(request)
