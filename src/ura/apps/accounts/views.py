"""Sign-in, sign-out and TOTP two-factor enrolment and verification."""

from __future__ import annotations

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ura.apps.accounts import two_factor as tf


class UraLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        context["expired"] = self.request.GET.get("expired") == "1"
        return context


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Six-digit code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator (first time) or verify a code (each session)."""
    if request.user.is_verified():  # type: ignore[union-attr]
        return redirect("home")
    device = tf.confirmed_device(request.user)  # type: ignore[arg-type]
    enrolling = device is None
    if enrolling:
        device = tf.pending_device(request.user)  # type: ignore[arg-type]
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if tf.two_factor_verify(request=request, device=device, token=form.cleaned_data["token"]):
            return redirect(request.GET.get("next") or "home")
        form.add_error(
            "token", _("That code is not valid. Check your device's clock and try again.")
        )
    context = {"form": form, "enrolling": enrolling}
    if enrolling:
        context["qr_svg"] = tf.provisioning_qr_svg(device)
        context["secret"] = tf.secret_base32(device)
    return render(request, "accounts/two_factor.html", context)
