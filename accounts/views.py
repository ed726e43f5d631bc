"""Sign-in landing (each role lands where its work is), the notification inbox, the sign-in
lockout page and the optional second factor."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.generic import ListView
from django_otp import login as otp_login
from django_otp import verify_token

from . import two_factor
from .forms import OtpCodeForm
from .models import Notification
from .roles import Role

ROLE_LANDING = {
    Role.KEMENPERIN: "ikm:worklist",
    Role.PENGADAAN: "kemitraan:demand-list",
    Role.KADIN: "dasbor:overview",
    Role.PEMBIAYAAN: "pembiayaan:akad-list",
}


def home(request):
    """Send a signed-in user to their role's work; a user without a role sees why."""
    user = request.user
    if user.role in ROLE_LANDING:
        return redirect(ROLE_LANDING[user.role])
    if user.is_superuser:
        return redirect(ROLE_LANDING[Role.KEMENPERIN])
    return render(request, "accounts/no_role.html", status=403)


class NotificationListView(ListView):
    """The signed-in user's own notifications, newest first."""

    template_name = "accounts/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 25

    def get_queryset(self):
        return Notification.objects.visible_to(self.request.user).order_by("-created_at", "-pk")


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return ngettext(
        "Too many wrong passwords for this username from your address. "
        "Try again in %(minutes)d minute.",
        "Too many wrong passwords for this username from your address. "
        "Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE): the sign-in page
    again, with the username kept and the lockout explained, as 429 Too Many Requests."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    redirect_to = request.POST.get("next", request.GET.get("next", ""))
    context = {"form": form, "next": redirect_to, "lockout_message": lockout_message()}
    return render(request, "registration/login.html", context, status=429)


def _safe_next(request, fallback: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@never_cache
def two_factor_setup(request):
    """ "Two-step verification": turn the authenticator app on (scan, confirm a code) or off."""
    user = request.user
    if not two_factor.can_set_up(user):
        raise PermissionDenied(_("Two-step verification is offered to Kemenperin and KADIN users."))
    device = two_factor.confirmed_device(user)
    form = OtpCodeForm(request.POST or None)
    if device is None:
        device = two_factor.pending_device(user)
        if request.method == "POST" and form.is_valid():
            if device.verify_token(form.cleaned_data["code"]):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                otp_login(request, device)
                request.session.pop(two_factor.OTP_PENDING_SESSION_KEY, None)
                messages.success(
                    request,
                    _("Two-step verification is on. You enter a code after your password."),
                )
                return redirect("two-factor-setup")
            form.add_error("code", _("This code is not valid. Enter the code your app shows now."))
        context = {
            "form": form,
            "enabled": False,
            "secret": two_factor.secret_text(device),
            "otpauth_uri": device.config_url,
            "qr_data_uri": two_factor.qr_data_uri(device),
        }
    else:
        if request.method == "POST" and form.is_valid():
            if device.verify_token(form.cleaned_data["code"]):
                two_factor.remove_devices(user)
                messages.success(request, _("Two-step verification is off."))
                return redirect("two-factor-setup")
            form.add_error("code", _("This code is not valid. Enter the code your app shows now."))
        context = {"form": form, "enabled": True}
    return render(request, "accounts/two_factor_setup.html", context)


@never_cache
def two_factor_verify(request):
    """After the password, a user with an authenticator app enters its current code."""
    user = request.user
    device = two_factor.confirmed_device(user)
    if device is None or user.is_verified():
        request.session.pop(two_factor.OTP_PENDING_SESSION_KEY, None)
        return redirect(_safe_next(request))
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified = verify_token(user, device.persistent_id, form.cleaned_data["code"])
        if verified is not None:
            otp_login(request, verified)
            request.session.pop(two_factor.OTP_PENDING_SESSION_KEY, None)
            return redirect(_safe_next(request))
        form.add_error("code", _("This code is not valid. Enter the code your app shows now."))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )
