"""The JSON API (django-ninja): one NinjaAPI, a router per app, session or token auth."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import APIKeyCookie, HttpBearer

from ura.apps.accounts.policy import requires_two_factor
from ura.apps.accounts.services import api_token_authenticate
from ura.apps.cases.decisions import DecisionIntegrityError
from ura.apps.cases.handoffs import ConsentRequiredError
from ura.apps.cases.services import CaseConflictError
from ura.apps.cases.workflow import TransitionRefusedError
from ura.apps.statistics.services import StaleTextError


class BearerToken(HttpBearer):
    """``Authorization: Bearer ura_…`` for system-to-system integration."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is None:
            return None
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser session of a signed-in user (CSRF-checked on unsafe methods)."""

    def __init__(self) -> None:
        # The session cookie name differs in production (__Host- prefix); ask Django.
        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a session cookie there is no session to ride on: skip the CSRF check so that
        # a bearer-token client is not refused for lacking a CSRF token. With the cookie, the
        # parent class checks CSRF (overriding this method must never drop that check).
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated:
            return None
        if requires_two_factor(user) and not user.is_verified():  # type: ignore[attr-defined]  # OTPMiddleware adds it
            return None
        return user


api = NinjaAPI(
    title="Ura API",
    version="1",
    description="Ura's JSON API. The same need-to-know rules as the web pages apply.",
    auth=[SessionAuth(), BearerToken()],
    urls_namespace="api",
)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Forbidden."}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": "Invalid data.", "errors": errors}, status=422)


@api.exception_handler(CaseConflictError)
def _case_conflict(request: HttpRequest, exc: CaseConflictError) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc), "current_version": exc.current_version}, status=409
    )


@api.exception_handler(StaleTextError)
def _stale_text(request: HttpRequest, exc: StaleTextError) -> HttpResponse:
    return api.create_response(
        request, {"detail": exc.messages[0], "current_version": exc.current_version}, status=409
    )


@api.exception_handler(TransitionRefusedError)
def _transition_refused(request: HttpRequest, exc: TransitionRefusedError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": str(exc),
            "failures": [{"code": f.code, "detail": f.detail} for f in exc.failures],
        },
        status=422,
    )


@api.exception_handler(ConsentRequiredError)
def _consent_required(request: HttpRequest, exc: ConsentRequiredError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": str(exc), "failures": [{"code": exc.code, "detail": exc.kind}]},
        status=422,
    )


@api.exception_handler(DecisionIntegrityError)
def _decision_integrity(request: HttpRequest, exc: DecisionIntegrityError) -> HttpResponse:
    # Never hand out a file that is not the one approved; the administrator must look.
    return api.create_response(
        request,
        {"detail": "The stored decision failed its integrity check; tell the administrator."},
        status=500,
    )


api.add_router("/people/", "ura.apps.people.api.router")
api.add_router("/cases/decisions/", "ura.apps.cases.decision_api.router")
api.add_router("/cases/", "ura.apps.cases.api.router")
api.add_router("/asylum/", "ura.apps.asylum.api.router")
api.add_router("/trafficking/", "ura.apps.trafficking.api.router")
api.add_router("/readmission/", "ura.apps.readmission.api.router")
api.add_router("/returns/", "ura.apps.returns.api.router")
api.add_router("/removals/", "ura.apps.removals.api.router")
api.add_router("/coi/", "ura.apps.coi.api.router")
api.add_router("/statistics/", "ura.apps.statistics.api.router")
