"""
Production settings serve: `collectstatic` passes, `check --deploy` is clean
(and fails while the static files manifest is missing), and every main page
answers 200 with the manifest's hashed static URLs and the security headers.

The deployment is played in a subprocess (tests/core/production_smoke.py):
settings are read once per process. It brings its own DynamoDB (moto),
whichever backend the suite runs on.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("production_smoke.py")

# The headers every page must carry under production settings, with a
# pattern its value must match.
EXPECTED_HEADERS = {
    "Strict-Transport-Security": r"max-age=31536000; includeSubDomains; preload",
    "X-Content-Type-Options": r"nosniff",
    "Referrer-Policy": r"same-origin",
    "X-Frame-Options": r"DENY",
    # Scripts from the site (or with the response's nonce), never inline code.
    "Content-Security-Policy": r"(?=.*script-src 'self')(?!.*unsafe)",
    "Permissions-Policy": r"(?=.*camera=\(\))(?=.*geolocation=\(\))",
    "Cache-Control": r".*no-store",
}

# A static URL from the manifest names the file's content hash.
HASHED = re.compile(r"^/static/.+\.[0-9a-f]{12}\.(css|js|svg|png|ico|woff2?)$")


@pytest.fixture(scope="module")
def report():
    finished = subprocess.run(
        [sys.executable, str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    return json.loads(finished.stdout.strip().splitlines()[-1])


def test_check_deploy_fails_while_the_static_manifest_is_missing(report):
    passed, output = report["check_before_collectstatic"]
    assert not passed
    assert "core.E001" in output
    assert "collectstatic" in output


def test_check_deploy_is_clean_after_collectstatic(report):
    passed, output = report["check_after_collectstatic"]
    assert passed, output


def test_every_main_page_answers_200_under_production_settings(report):
    statuses = {path: page["status"] for path, page in report["pages"].items()}
    assert set(statuses.values()) == {200}, statuses
    assert len(statuses) >= 20


def test_pages_name_the_manifests_hashed_static_files(report):
    dashboard = report["pages"]["/"]["static_urls"]
    assert any("/vendor/pico/" in url for url in dashboard), dashboard
    assert any("/vendor/chartjs/chart.umd." in url for url in dashboard), dashboard
    for path, page in report["pages"].items():
        unhashed = [url for url in page["static_urls"] if not HASHED.match(url)]
        assert unhashed == [], (path, unhashed)


@pytest.mark.parametrize(("header", "value"), EXPECTED_HEADERS.items())
def test_every_page_carries_the_security_header(report, header, value):
    for path, page in report["pages"].items():
        sent = page["headers"].get(header.lower())
        assert sent is not None, f"{path} has no {header}"
        assert re.match(value, sent), (path, sent)


def test_the_health_check_answers_ok_and_is_never_cached(report):
    """
    /health is the load balancer's, not a page: answered before the security
    middleware (tests/vendors/test_api.py has the load balancer's request), so
    it carries none of the pages' headers, only its JSON and no-store.
    """
    health = report["health"]
    assert health["status"] == 200, health
    assert health["body"] == '{"status": "ok"}'
    assert "no-store" in health["headers"]["cache-control"]
