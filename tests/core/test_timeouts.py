"""
A DynamoDB that hangs: a page gives up within a few seconds (503), while
the management commands and the job wait as long as a batch may.
"""

import socket
import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from core import dynamo
from invoicing.management.commands import reconcile_invoices
from invoicing.models import Invoice
from vendors.models import Vendor


@pytest.fixture
def hung_dynamodb():
    """A TCP server that accepts every connection and never answers: a
    DynamoDB whose process stopped (SIGSTOP) looks like this to a client."""
    server = socket.create_server(("127.0.0.1", 0), backlog=64)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept_forever():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def read_timeout(model) -> float:
    return model._get_connection().connection.client.meta.config.read_timeout


def test_a_page_answers_503_within_a_few_seconds_when_dynamodb_hangs(
    settings, clerk, hung_dynamodb
):
    settings.DYNAMODB_ENDPOINT_URL = hung_dynamodb
    dynamo.configure_models()
    client = Client()
    client.force_login(clerk)
    started = time.monotonic()
    answer = client.get("/vendors/")
    elapsed = time.monotonic() - started
    assert answer.status_code == 503
    assert elapsed < 6, f"the page waited {elapsed:.1f} s for a hung DynamoDB"


def test_the_job_keeps_longer_timeouts_and_pages_get_theirs_back(
    settings, db, monkeypatch
):
    seen = {}
    job = reconcile_invoices.reconcile_waiting_invoices

    def capture(**options):
        seen["read"] = read_timeout(Invoice)
        seen["retries"] = Invoice.Meta.max_retry_attempts
        return job(**options)

    monkeypatch.setattr(
        reconcile_invoices, "reconcile_waiting_invoices", capture, raising=True
    )
    web_read = read_timeout(Vendor)
    call_command("reconcile_invoices", stdout=StringIO())
    assert seen == {
        "read": settings.DYNAMODB_JOB_READ_TIMEOUT_SECONDS,
        "retries": settings.DYNAMODB_JOB_MAX_RETRY_ATTEMPTS,
    }
    assert seen["read"] > web_read
    assert read_timeout(Invoice) == web_read == settings.DYNAMODB_READ_TIMEOUT_SECONDS
    assert settings.DYNAMODB_JOB_READ_TIMEOUT_SECONDS * (
        1 + settings.DYNAMODB_JOB_MAX_RETRY_ATTEMPTS
    ) > 3 * settings.DYNAMODB_READ_TIMEOUT_SECONDS * (
        1 + settings.DYNAMODB_MAX_RETRY_ATTEMPTS
    )
