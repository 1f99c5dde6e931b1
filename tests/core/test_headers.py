"""
Response headers every page, export, payment file and API answer carries
(issue 13 item 11): CSP with nonces, Permissions-Policy, no caching of what a
user sees, and no Server banner from gunicorn.
"""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client

from payments.services import (
    payment_run_approve,
    payment_run_create,
    payment_run_export,
)
from tests.api_client import bearer
from tests.conftest import EUR_IBAN_1, TODAY

ROOT = Path(__file__).resolve().parents[2]


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part)
    }


@pytest.mark.parametrize(
    "path", ["/", "/vendors/", "/purchase-orders/", "/payment-runs/", "/docs"]
)
def test_pages_forbid_inline_scripts_and_nonce_their_own(clerk, path):
    response = logged_in(clerk).get(path)
    assert response.status_code == 200

    policy = directives(response)
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    nonce = next(v for v in policy["script-src"] if v.startswith("'nonce-"))
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    assert scripts
    for tag in scripts:
        assert f'nonce="{nonce[7:-1]}"' in tag, tag


def test_every_response_gets_a_fresh_nonce(clerk):
    client = logged_in(clerk)
    first, second = (directives(client.get("/"))["script-src"] for _ in range(2))
    assert first != second


def test_htmx_injects_no_inline_styles_and_evaluates_no_code(clerk):
    html = logged_in(clerk).get("/").content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'>', html)
    assert config, "base.html configures htmx"
    settings = json.loads(config.group(1))
    assert settings["includeIndicatorStyles"] is False
    assert settings["allowEval"] is False


def test_templates_carry_no_inline_style_attributes():
    """A style attribute is refused by the CSP, in a page or an htmx swap."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("templates", *_app_folders())
        for path in (ROOT / folder).rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\sstyle=", line)
    ]
    assert offenders == []


def _app_folders():
    return [
        child.name
        for child in ROOT.iterdir()
        if (child / "templates").is_dir() and child.name != "node_modules"
    ]


def test_permissions_policy_switches_off_powerful_features(clerk):
    for response in (
        logged_in(clerk).get("/vendors/"),
        Client().get("/api/v1/vendors", **bearer(clerk)),
        Client().get("/accounts/login/"),
    ):
        features = dict(
            part.strip().split("=", 1)
            for part in response["Permissions-Policy"].split(",")
        )
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert features[feature] == "()", feature


def test_authenticated_pages_exports_and_api_answers_are_not_stored(clerk):
    client = logged_in(clerk)
    for response in (
        client.get("/"),
        client.get("/vendors/"),
        client.get("/vendors/export.csv"),
        Client().get("/api/v1/vendors", **bearer(clerk)),
        Client().get("/api/v1/nothing-here", **bearer(clerk)),
    ):
        assert response.status_code in (200, 404), response
        assert "no-store" in response["Cache-Control"], response


def test_payment_files_are_not_stored(
    make_vendor, matched_invoice, treasurer, approver
):
    vendor = make_vendor("Acme Supplies GmbH", iban=EUR_IBAN_1, bic="COBADEFFXXX")
    matched_invoice(vendor)
    run = payment_run_create(user=treasurer, payment_date=TODAY).run
    run = payment_run_approve(run_id=run.id, user=approver, version=run.version)
    run = payment_run_export(run_id=run.id, user=treasurer, version=run.version)

    page = logged_in(treasurer).get(f"/payment-runs/{run.id}/")
    link = re.search(r'href="([^"]+/files/[^"]+)"', page.content.decode())
    assert link, "the run's page links its files"
    for response in (
        logged_in(treasurer).get(link.group(1)),
        Client().get(f"/api/v1/payment-runs/{run.id}/file", **bearer(treasurer)),
    ):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_sends_no_server_banner():
    """`gunicorn project.wsgi`, as production runs it, reads gunicorn.conf.py."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings.test",
        "DEBUG": "false",
        "PYTHONPATH": str(ROOT),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "project.wsgi",
         "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/api/v1/nothing-here")
                response = connection.getresponse()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    server.kill()
                    pytest.fail(f"gunicorn did not answer: {server.stderr.read()}")
                time.sleep(0.2)
        names = [name.lower() for name, _ in response.getheaders()]
        assert response.status == 404
        assert "server" not in names
        assert "content-security-policy" in names
    finally:
        server.terminate()
        server.wait(timeout=10)
