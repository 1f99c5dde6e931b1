"""
Second-factor devices (django-otp): an authenticator app's TOTP key, and
recovery codes (a static device whose codes each work once).

Who needs a second factor and the check services make are in
`accounts.roles` (`needs_second_factor`, `require_second_factor`); this module
enrols, verifies and replaces devices. Wrong codes slow down on their own:
django-otp doubles the wait after each failure on a device (1, 2, 4... s).
"""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import ValidationFailed

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"
INVALID_CODE = (
    "That code is not valid. Enter the 6-digit code your authenticator app shows "
    "now, or one of your recovery codes."
)


def has_device(user) -> bool:
    """Return True when the user has enrolled a second factor."""
    return any(devices_for_user(user, confirmed=True))


def authenticator_enrolled(user) -> bool:
    """Return True when the user's authenticator app is set up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_recovery_code(device: Device) -> bool:
    return isinstance(device, StaticDevice)


def enrolment_device(user) -> TOTPDevice:
    """Return the user's authenticator device awaiting its first code (made once)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(
        user=user, name=AUTHENTICATOR_NAME, confirmed=False
    )


def secret_text(device: TOTPDevice) -> str:
    """Return the key as authenticator apps ask for it typed in (base32, grouped)."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """Return an inline SVG QR code of the device's otpauth:// address."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def _check(device: Device, code: str) -> Device:
    """Return `device` as it accepted `code`, or raise ValidationFailed.

    Not inside a transaction the caller might roll back: a wrong code's
    failure count (the throttle) must stay written.
    """
    allowed, why = device.verify_is_allowed()
    if not allowed and why and "locked_until" in why:
        raise ValidationFailed(
            "Too many wrong codes: wait a few seconds, then enter the code "
            "your app shows then.",
            {"code": "Too many wrong codes."},
        )
    with transaction.atomic():
        # Locked, so two requests with one code cannot both use it.
        device = type(device).objects.select_for_update().get(pk=device.pk)
        accepted = device.verify_token(code)
    if not accepted:
        raise ValidationFailed(INVALID_CODE, {"code": INVALID_CODE})
    return device


def enrolment_confirm(*, user, device: TOTPDevice, code: str) -> list[str]:
    """
    Confirm the authenticator with its first code; return new recovery codes.

    Any authenticator enrolled before is removed: one app per user.
    """
    device = _check(device, "".join(code.split()))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return recovery_codes_create(user=user)


@transaction.atomic
def recovery_codes_create(*, user) -> list[str]:
    """Replace the user's recovery codes with a new set; return them (shown once)."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_CODES_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def recovery_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def sign_in_verify(*, user, code: str) -> Device:
    """
    Return the device that accepts `code`: six digits go to the authenticator,
    anything else to the recovery codes (which each work once).
    """
    code = "".join(code.split())
    is_totp = code.isdigit() and len(code) == 6
    model = TOTPDevice if is_totp else StaticDevice
    device = model.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise ValidationFailed(INVALID_CODE, {"code": INVALID_CODE})
    return _check(device, code if is_totp else code.lower())
