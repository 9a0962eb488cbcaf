"""What the two-step verification pages show."""

from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass
from datetime import datetime

import segno
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import required_for


@dataclass(frozen=True)
class Status:
    enrolled: bool
    set_up_at: datetime | None
    last_used_at: datetime | None
    recovery_codes_left: int
    required: bool


def status(user) -> Status:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    left = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return Status(
        enrolled=device is not None,
        set_up_at=device.created_at if device else None,
        last_used_at=device.last_used_at if device else None,
        recovery_codes_left=left,
        required=required_for(user),
    )


def config_url(user, key: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return TOTPDevice(user=user, key=key).config_url


def secret_text(key: str) -> str:
    """The secret as people type it into an app that cannot scan: base32, in groups of four."""
    text = b32encode(unhexlify(key.encode())).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(user, key: str) -> SafeString:
    """The QR code as inline SVG (no image file, no script), dark on white so any app reads
    it on the page's grey background."""
    svg = segno.make(config_url(user, key), error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", svgclass="app-qr", omitsize=False
    )
    label = escape(f"QR code to add {settings.SERVICE_NAME} to your authenticator app")
    # segno's own markup (paths only), with an accessible name.
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))


def recovery_codes_text(codes: list[str]) -> str:
    """The recovery codes as a text file."""
    lines = [
        f"{settings.SERVICE_NAME}: two-step verification recovery codes",
        "",
        "Each code works once, in place of the code from your authenticator app.",
        "Keep them somewhere safe. Making new codes stops these working.",
        "",
        *codes,
        "",
    ]
    return "\n".join(lines)
