"""
`reconcile_invoices` when DynamoDB dies mid-run: exit status 2 and one
line, whatever the request in flight was, so a scheduler can tell "DynamoDB
gone" (2) from "some invoices failed" (1).

DynamoDB's death is played at the socket layer (botocore's HTTP session):
after N requests every request fails as it does against a killed DynamoDB
Local (connection refused, connection dropped mid-answer, no answer, a
dying server's 500). moto answers before that layer, so these tests run on
DynamoDB Local only.
"""

import itertools
import logging
import threading
from io import StringIO

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import (
    ConnectionClosedError,
    EndpointConnectionError,
    HTTPClientError,
    ReadTimeoutError,
)
from botocore.httpsession import URLLib3Session
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.invoicing.test_reconcile_job import enter

# Plays DynamoDB's death below moto's interception.
pytestmark = pytest.mark.dynamodb_local_only


class _Body:
    def __init__(self, content: bytes):
        self._content = content

    def stream(self, *args, **kwargs):
        yield self._content


def _server_error(request) -> AWSResponse:
    body = (
        b'{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError",'
        b'"message":"The server is shutting down"}'
    )
    return AWSResponse(
        request.url, 500, {"Content-Type": "application/x-amz-json-1.0"}, _Body(body)
    )


DEATHS = {
    "refused": lambda r: (_ for _ in ()).throw(
        EndpointConnectionError(endpoint_url=r.url)
    ),
    "dropped": lambda r: (_ for _ in ()).throw(
        ConnectionClosedError(endpoint_url=r.url)
    ),
    "silent": lambda r: (_ for _ in ()).throw(ReadTimeoutError(endpoint_url=r.url)),
    "reset": lambda r: (_ for _ in ()).throw(
        HTTPClientError(error=ConnectionResetError(104, "Connection reset by peer"))
    ),
    "server error": _server_error,
}


@pytest.fixture
def dies_after(monkeypatch, settings):
    """Let `n` more DynamoDB requests through, then fail every one with `death`."""
    # No retries and no backoff: a dead DynamoDB stays dead.
    settings.DYNAMODB_JOB_MAX_RETRY_ATTEMPTS = 0
    send = URLLib3Session.send

    def arm(n: int, death: str):
        count = itertools.count()
        lock = threading.Lock()

        def dying_send(session, request):
            with lock:
                alive = next(count) < n
            return send(session, request) if alive else DEATHS[death](request)

        monkeypatch.setattr(URLLib3Session, "send", dying_send)

    return arm


@pytest.fixture
def waiting(clerk, make_po, approver):
    from purchasing.services import purchase_order_approve

    invoices = []
    for n in range(12):
        po = purchase_order_approve(po_id=make_po().id, user=approver)
        invoices.append(enter(clerk, po, f"INV-{n}"))
    return invoices


@pytest.mark.parametrize("death", list(DEATHS))
# A healthy run of these 12 invoices sends 7 requests (the queue, the POs,
# the chain heads, two batch transactions, the completion's head and entry)
# before the dashboard's refresh: each death below strikes inside the run.
@pytest.mark.parametrize("after", [0, 2, 4, 5])
def test_dynamodb_dying_mid_run_exits_2_with_one_line(
    waiting, dies_after, death, after, caplog
):
    dies_after(after, death)
    with caplog.at_level(logging.WARNING):
        with pytest.raises(CommandError) as stopped:
            call_command("reconcile_invoices", stdout=StringIO(), stderr=StringIO())
    assert stopped.value.returncode == 2
    message = str(stopped.value)
    assert "\n" not in message
    assert message.startswith("Could not reach DynamoDB at ")
    # Nothing logged a traceback on the way out.
    assert [r for r in caplog.records if r.exc_info] == []
