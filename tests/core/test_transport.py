"""
core.transport sends DynamoDB requests as botocore would and reads the
answers as botocore does: the same body and target, a valid SigV4 signature
(checked here by the algorithm itself, not by botocore), the same parsed
answer, the same exception for a refused request, and botocore's retry rule
within the configured number of attempts. The answers are canned, given in
the client's `before-send` handlers as moto gives its own, so nothing here
touches a table.
"""

import hashlib
import hmac
import json
import zlib
from urllib.parse import urlsplit

import pytest
from botocore.awsrequest import AWSResponse
from pynamodb.exceptions import VerboseClientError

from core import dynamo, transport, wire
from core.errors import ServiceUnavailable

pytestmark = pytest.mark.backend_free

KEY_ID, SECRET, REGION = (
    "AKIDEXAMPLE",
    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "eu-west-1",
)
ITEM = {
    "id": {"S": "inv-1 · Café"},
    "amount": {"N": "12.50"},
    "blob": {"B": b"\x00\x01binary"},
    "blobs": {"BS": [b"a", b"b"]},
    "lines": {"L": [{"M": {"raw": {"B": b"\xff"}, "qty": {"N": "3"}}}, {"NULL": True}]},
    "flag": {"BOOL": False},
    "tags": {"SS": ["x", "y"]},
}


class _Raw:
    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_):
        yield self._body


def answer(status: int, body: dict | bytes, headers: dict | None = None) -> AWSResponse:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return AWSResponse("http://dynamodb.test/", status, headers or {}, _Raw(data))


class Canned:
    """A client's before-send handler: records each attempt, gives the next answer."""

    def __init__(self):
        self.sent, self.answers = [], []

    def __call__(self, request, **_):
        self.sent.append(request)
        return self.answers.pop(0) if self.answers else None

    def on(self, client):
        client.meta.events.register_first("before-send.dynamodb", self)
        return client


def guarded_connection(retries: int, host="http://127.0.0.1:9"):
    return dynamo._GuardedConnection(
        region=REGION, host=host, max_retry_attempts=retries,
        aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET,
        connect_timeout_seconds=0.5, read_timeout_seconds=0.5,
    )  # fmt: skip


@pytest.fixture
def canned(monkeypatch):
    """(client, Canned) on a fresh guarded connection with 3 attempts in all."""
    monkeypatch.setattr(dynamo, "_CLIENTS", {})
    connection = guarded_connection(retries=2)
    handler = Canned()
    client = handler.on(connection.client)
    sender = client._p2p_sender
    build = sender._twin_build
    monkeypatch.setattr(sender, "_twin_build", lambda n: handler.on(build(n)))
    return connection, client, handler


def botocore_call(client, operation: str, params: dict):
    """The same call through botocore's own BaseClient._make_api_call."""
    return type(client)._make_api_call(client, operation, params)


def transaction() -> dict:
    return {
        "TransactItems": [
            {"Put": {"TableName": "T", "Item": ITEM,
                     "ConditionExpression": "attribute_not_exists (#0)",
                     "ExpressionAttributeNames": {"#0": "id"}}},
            {"Update": {"TableName": "T", "Key": {"id": {"S": "po-1"}},
                        "UpdateExpression": "SET #0 = :0",
                        "ExpressionAttributeNames": {"#0": "status"},
                        "ExpressionAttributeValues": {":0": {"S": "matched"}}}},
        ],
        "ClientRequestToken": "token-1",
    }  # fmt: skip


def test_the_models_clients_send_through_the_transport(canned):
    _, client, _ = canned
    assert isinstance(client._p2p_sender, transport.Sender)
    assert client._make_api_call.__qualname__ == "install.<locals>.api_call"


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("TransactWriteItems", transaction()),
        ("Query", {"TableName": "T", "IndexName": "i", "Limit": 101,
                   "KeyConditionExpression": "#0 = :0",
                   "ExpressionAttributeNames": {"#0": "queue"},
                   "ExpressionAttributeValues": {":0": {"S": "awaiting"}},
                   "ExclusiveStartKey": {"id": {"B": b"\x01"}}}),
        ("BatchGetItem", {"RequestItems": {"T": {"Keys": [{"id": {"S": "a"}}],
                                                 "ConsistentRead": True}}}),
    ],
)  # fmt: skip
def test_a_request_carries_what_botocore_sends(canned, operation, params):
    _, client, handler = canned
    handler.answers = [answer(200, {}), answer(200, {})]
    client._make_api_call(operation, params)
    botocore_call(client, operation, params)
    ours, theirs = handler.sent
    assert json.loads(ours.body) == json.loads(theirs.body)
    assert urlsplit(ours.url)[:3] == urlsplit(theirs.url)[:3]
    for name in ("X-Amz-Target", "Content-Type"):
        assert _text(ours.headers[name]) == _text(theirs.headers[name])
    scope = f"/{REGION}/dynamodb/aws4_request"
    assert f"Credential={KEY_ID}/" in _text(ours.headers["Authorization"])
    assert scope in _text(ours.headers["Authorization"])


def test_the_signature_is_sigv4s(canned):
    """The Authorization header, recomputed here from the request by AWS's algorithm."""
    _, client, handler = canned
    handler.answers = [answer(200, {})]
    client._make_api_call("TransactWriteItems", transaction())
    (request,) = handler.sent
    authorization = _text(request.headers["Authorization"])
    algorithm, _, rest = authorization.partition(" ")
    parts = dict(part.split("=", 1) for part in rest.split(", "))
    assert algorithm == "AWS4-HMAC-SHA256"
    signed = parts["SignedHeaders"].split(";")
    assert {"host", "x-amz-date", "x-amz-target"} <= set(signed)
    amz_date = _text(request.headers["X-Amz-Date"])
    url = urlsplit(request.url)
    headers = {
        name.lower(): _text(value).strip() for name, value in request.headers.items()
    }
    headers.setdefault("host", url.netloc)
    canonical = "\n".join(
        [
            "POST", url.path or "/", url.query,
            "".join(f"{name}:{headers[name]}\n" for name in signed),
            ";".join(signed), hashlib.sha256(request.body).hexdigest(),
        ]
    )  # fmt: skip
    scope = f"{amz_date[:8]}/{REGION}/dynamodb/aws4_request"
    to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            amz_date,
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = ("AWS4" + SECRET).encode()
    for part in (amz_date[:8], REGION, "dynamodb", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    assert parts["Credential"] == f"{KEY_ID}/{scope}"
    assert (
        parts["Signature"]
        == hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    )


def _wire(item: dict) -> dict:
    """ITEM as DynamoDB's JSON carries it (binary values as base64)."""
    return {name: wire.value_to_wire(value) for name, value in item.items()}


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("GetItem", {"Item": _wire(ITEM)}),
        ("Query", {"Items": [_wire(ITEM)] * 2, "Count": 2, "ScannedCount": 2,
                   "LastEvaluatedKey": {"id": {"B": "AQ=="}}}),
        ("BatchGetItem", {"Responses": {"T": [_wire(ITEM)]}, "UnprocessedKeys": {}}),
    ],
)  # fmt: skip
def test_an_answer_reads_as_botocore_reads_it(canned, operation, body):
    _, client, handler = canned
    params = {"TableName": "T", "Key": {"id": {"S": "a"}}}
    if operation == "BatchGetItem":
        params = {"RequestItems": {"T": {"Keys": [{"id": {"S": "a"}}]}}}
    elif operation == "Query":
        params = {"TableName": "T", "KeyConditionExpression": "id = :0",
                  "ExpressionAttributeValues": {":0": {"S": "a"}}}  # fmt: skip
    handler.answers = [answer(200, body), answer(200, body)]
    ours = client._make_api_call(operation, params)
    theirs = botocore_call(client, operation, params)
    assert ours.pop("ResponseMetadata")["HTTPStatusCode"] == 200
    theirs.pop("ResponseMetadata")
    assert ours == theirs
    assert (
        ours.get("Item") or ours.get("Items", [None])[0] or ours["Responses"]["T"][0]
    )["blob"] == {"B": b"\x00\x01binary"}


CANCELLED = {
    "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
    "message": "Transaction cancelled, please refer cancellation reasons for "
    "specific reasons [ConditionalCheckFailed, None]",
    "CancellationReasons": [
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
        {"Code": "None"},
    ],
}


def test_a_refused_request_raises_as_botocore_raises_it(canned):
    _, client, handler = canned
    handler.answers = [answer(400, CANCELLED), answer(400, CANCELLED)]
    with pytest.raises(client.exceptions.TransactionCanceledException) as ours:
        client._make_api_call("TransactWriteItems", transaction())
    with pytest.raises(client.exceptions.TransactionCanceledException) as theirs:
        botocore_call(client, "TransactWriteItems", transaction())
    assert ours.value.response["Error"] == theirs.value.response["Error"]
    assert (
        ours.value.response["CancellationReasons"] == CANCELLED["CancellationReasons"]
    )
    assert len(handler.sent) == 2  # a refusal is not sent again


def test_pynamodb_sees_the_reasons_a_transaction_was_cancelled(canned):
    connection, _, handler = canned
    handler.answers = [answer(400, CANCELLED)]
    with pytest.raises(VerboseClientError) as caught:
        connection._make_api_call("TransactWriteItems", transaction())
    reasons = list(caught.value.cancellation_reasons)
    assert reasons[0].code == "ConditionalCheckFailed" and reasons[1] is None


def test_a_failing_answer_is_sent_again_as_one_transaction(canned):
    _, client, handler = canned
    params = transaction()
    del params["ClientRequestToken"]
    handler.answers = [answer(500, b""), answer(503, b""), answer(200, {})]
    client._make_api_call("TransactWriteItems", params)
    tokens = {json.loads(r.body)["ClientRequestToken"] for r in handler.sent}
    assert len(handler.sent) == 3 and len(tokens) == 1  # idempotent retries


def test_throttling_uses_the_configured_attempts_and_no_more(canned):
    connection, _, handler = canned
    throttled = {
        "__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException",
        "message": "Rate exceeded",
    }
    handler.answers = [answer(400, throttled) for _ in range(5)]
    with pytest.raises(ServiceUnavailable):
        connection._make_api_call(
            "GetItem", {"TableName": "T", "Key": {"id": {"S": "a"}}}
        )
    assert len(handler.sent) == 3  # 1 + DYNAMODB retries (2), as botocore made


def test_a_corrupted_answer_is_read_again(canned):
    _, client, handler = canned
    good = json.dumps({"Item": {"id": {"S": "a"}}}).encode()
    handler.answers = [
        answer(200, good, {"x-amz-crc32": str(zlib.crc32(good) + 1)}),
        answer(200, good, {"x-amz-crc32": str(zlib.crc32(good))}),
    ]
    got = client._make_api_call(
        "GetItem", {"TableName": "T", "Key": {"id": {"S": "a"}}}
    )
    assert got["Item"] == {"id": {"S": "a"}} and len(handler.sent) == 2


def test_an_unreachable_dynamodb_is_tried_the_configured_times(monkeypatch):
    monkeypatch.setattr(dynamo, "_CLIENTS", {})
    for retries, attempts in [(0, 1), (1, 2)]:
        connection = guarded_connection(retries=retries)  # nothing listens on port 9
        handler = Canned()
        client = handler.on(connection.client)
        sender = client._p2p_sender
        build = sender._twin_build
        monkeypatch.setattr(
            sender, "_twin_build", lambda n, b=build, h=handler: h.on(b(n))
        )
        with pytest.raises(ServiceUnavailable):
            connection._make_api_call(
                "GetItem", {"TableName": "T", "Key": {"id": {"S": "a"}}}
            )
        assert len(handler.sent) == attempts


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value
