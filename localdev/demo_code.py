"""
Print the current second-factor code of the demo money movers.

    .venv/bin/python -m localdev.demo_code

`seed_demo` enrols approver, approver2, treasurer and admin with one published
key under DEBUG only; this prints the code an authenticator app set up with
that key shows now.
"""

import os
from base64 import b32decode


def current_code() -> str:
    """Return the 6-digit code of the demo key for this 30-second step."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings.base")
    import django

    django.setup()
    from django_otp.oath import totp

    from localdev.demo import DEMO_TOTP_SECRET

    return f"{totp(b32decode(DEMO_TOTP_SECRET)):06d}"


if __name__ == "__main__":
    print(current_code())
