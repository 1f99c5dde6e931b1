"""
Serve the app under production settings, as a deployment would, and report.

    python tests/core/production_smoke.py       # prints one JSON report

Run by tests/core/test_production.py in a subprocess (settings are read once
per process): with `project.settings.production` and the environment a
deployment sets, against an in-process DynamoDB (moto) and a temporary
SQLite, STATIC_ROOT and MEDIA_ROOT, it

1. runs `check --deploy --fail-level WARNING` before `collectstatic` (it
   must fail: no static files manifest),
2. runs `collectstatic`, then `check --deploy --fail-level WARNING` again
   (it must pass),
3. seeds the demo users and records, logs in as each role and requests
   every main page over HTTPS (`secure=True`: SECURE_SSL_REDIRECT stays on),
   noting each page's status, the static URLs it names, and its headers.

It asserts nothing itself; the test reads the report.
"""

import json
import os
import re
import secrets
import sys
import tempfile
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def production_environment(workdir: Path) -> dict[str, str]:
    """What a deployment sets: a real secret, hosts, and where files go."""
    return {
        "DJANGO_SETTINGS_MODULE": "project.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "DYNAMODB_ENDPOINT_URL": "",
        "DYNAMODB_TABLE_PREFIX": "smoke-",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_STORAGE_BUCKET_NAME": "",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "ERROR",
        "COMPANY_VAT_ID": "DE811907980",
    }


def check_deploy() -> tuple[bool, str]:
    """Run `check --deploy --fail-level WARNING`; return (passed, its output)."""
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    out, err = StringIO(), StringIO()
    try:
        call_command(
            "check", "--deploy", "--fail-level", "WARNING", stdout=out, stderr=err
        )
    except SystemCheckError as exc:
        return False, str(exc)
    return True, out.getvalue() + err.getvalue()


def main_pages() -> list[tuple[str, str]]:
    """(user, path) of every main page, with one record of each kind."""
    from invoicing.selectors import invoice_list
    from payments.selectors import payment_run_list
    from purchasing.selectors import purchase_order_list
    from vendors.selectors import vendor_list

    vendor = vendor_list(limit=1).items[0]
    po = purchase_order_list(limit=1).items[0]
    invoice = invoice_list(limit=1).items[0]
    runs = payment_run_list(limit=1).items
    pages = [
        ("clerk", "/"),
        ("clerk", "/vendors/"),
        ("clerk", f"/vendors/{vendor.id}/"),
        ("clerk", "/vendors/new/"),
        ("clerk", "/vendors/import/"),
        ("requester", "/purchase-orders/"),
        ("requester", "/purchase-orders/new/"),
        ("requester", f"/purchase-orders/{po.id}/"),
        ("approver", "/purchase-orders/awaiting-approval/"),
        ("clerk", "/invoices/"),
        ("clerk", "/invoices/new/"),
        ("clerk", "/invoices/exceptions/"),
        ("clerk", f"/invoices/{invoice.id}/"),
        ("treasurer", "/payment-runs/"),
        ("treasurer", "/payment-runs/new/"),
        ("auditor", "/audit/"),
        ("auditor", "/search/?q=PO"),
        ("auditor", "/accounts/profile/"),
        ("auditor", "/docs"),
        ("admin", "/admin/"),
        ("admin", "/exchange-rates/"),
    ]
    pages += [("treasurer", f"/payment-runs/{run.id}/") for run in runs]
    return pages


def page_report(client, path: str) -> dict:
    answer = client.get(path, secure=True)
    body = answer.content.decode(errors="replace")
    return {
        "status": answer.status_code,
        "static_urls": sorted(set(re.findall(r"/static/[^\"'\s>)]+", body))),
        "headers": {name.lower(): value for name, value in answer.items()},
    }


def run() -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="p2p-production-"))
    os.environ.update(production_environment(workdir))
    from moto import mock_aws

    with mock_aws():
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client

        from core import dynamo

        report: dict = {}
        report["check_before_collectstatic"] = check_deploy()
        call_command("collectstatic", "--noinput", verbosity=0)
        report["check_after_collectstatic"] = check_deploy()
        call_command("migrate", verbosity=0)
        dynamo.configure_models()
        dynamo.create_tables()
        call_command("seed_demo", "--password", "smoke-pass-2026", stdout=StringIO())
        # The dashboard's figures (and its Chart.js) appear once computed.
        call_command("refresh_dashboard", stdout=StringIO())
        clients: dict = {}
        from django.contrib.auth import get_user_model
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        pages = {}
        for username, path in main_pages():
            if username not in clients:
                clients[username] = client = Client()
                user = get_user_model().objects.get(username=username)
                client.force_login(user)
                # Money movers' sign-ins carry their second factor (the seed
                # enrolled them), as the code page records it.
                device = TOTPDevice.objects.filter(user=user).first()
                if device is not None:
                    session = client.session
                    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                    session.save()
            pages[path] = page_report(clients[username], path)
        report["pages"] = pages
        answer = Client().get("/health", secure=True)
        report["health"] = {
            "status": answer.status_code,
            "body": answer.content.decode(errors="replace"),
            "headers": {name.lower(): value for name, value in answer.items()},
        }
        return report


if __name__ == "__main__":
    print(json.dumps(run()))
