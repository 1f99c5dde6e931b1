"""
core.wire parses and serializes DynamoDB attribute values as botocore's own
parser and serializer do, for values of every type, and the models' clients
use it.
"""

import json

import botocore.session
import pytest
from botocore import parsers, serialize

from core import wire
from core.wire import _Parser, _Serializer

pytestmark = pytest.mark.backend_free

ITEM = {
    "id": {"S": "inv-1"},
    "amount": {"N": "12.50"},
    "blob": {"B": "aGVsbG8="},
    "blobs": {"BS": ["aGVsbG8=", "d29ybGQ="]},
    "names": {"SS": ["a", "b"]},
    "numbers": {"NS": ["1", "2.5"]},
    "flag": {"BOOL": True},
    "nothing": {"NULL": True},
    "lines": {
        "L": [
            {"M": {"qty": {"N": "3"}, "raw": {"B": "AAE="}}},
            {"NULL": True},
            {"L": [{"S": "nested"}]},
        ]
    },
    "empty_map": {"M": {}},
    "empty_list": {"L": []},
}


@pytest.fixture(scope="module")
def service():
    return botocore.session.get_session().get_service_model("dynamodb")


def parsed_by(parser, service, operation: str, body: dict):
    response = {"body": json.dumps(body).encode(), "headers": {}, "status_code": 200}
    return parser.parse(response, service.operation_model(operation).output_shape)


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("GetItem", {"Item": ITEM}),
        (
            "Query",
            {"Items": [ITEM, ITEM], "Count": 2, "LastEvaluatedKey": {"id": {"S": "x"}}},
        ),
        ("BatchGetItem", {"Responses": {"T": [ITEM]}, "UnprocessedKeys": {}}),
    ],
)
def test_answers_parse_as_botocore_parses_them(service, operation, body, monkeypatch):
    calls = []
    monkeypatch.setattr(
        wire,
        "value_from_wire",
        lambda v, f=wire.value_from_wire: calls.append(1) or f(v),
    )
    ours = parsed_by(_Parser(), service, operation, body)
    assert calls  # the values took the short way
    theirs = parsed_by(parsers.JSONParser(), service, operation, body)
    assert ours == theirs
    assert ours[next(iter(body))] is not None


def test_an_error_answer_parses_as_botocore_parses_it(service):
    body = {
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "message": "Transaction cancelled",
        "CancellationReasons": [{"Code": "ConditionalCheckFailed", "Item": ITEM}],
    }
    response = {"body": json.dumps(body).encode(), "headers": {}, "status_code": 400}
    shape = service.operation_model("TransactWriteItems").output_shape
    assert _Parser().parse(response, shape) == parsers.JSONParser().parse(
        response, shape
    )


def test_requests_serialize_as_botocore_serializes_them(service):
    item = json.loads(json.dumps(ITEM))
    # What PynamoDB hands botocore: bytes for binary values.
    item["blob"] = {"B": b"hello"}
    item["blobs"] = {"BS": [b"hello", b"world"]}
    item["lines"]["L"][0]["M"]["raw"] = {"B": b"\x00\x01"}
    params = {
        "TransactItems": [
            {"Put": {"TableName": "T", "Item": item,
                     "ConditionExpression": "attribute_not_exists(#i)",
                     "ExpressionAttributeNames": {"#i": "id"}}},
            {"Update": {"TableName": "T", "Key": {"id": {"S": "po-1"}},
                        "UpdateExpression": "SET #v = :v",
                        "ExpressionAttributeNames": {"#v": "version"},
                        "ExpressionAttributeValues": {":v": {"N": "2"}}}},
        ]
    }  # fmt: skip
    operation = service.operation_model("TransactWriteItems")
    ours = _Serializer().serialize_to_request(params, operation)
    theirs = serialize.JSONSerializer().serialize_to_request(params, operation)
    assert json.loads(ours["body"]) == json.loads(theirs["body"])
    assert json.loads(ours["body"])["TransactItems"][0]["Put"]["Item"]["blob"] == {
        "B": "aGVsbG8="
    }


def test_the_models_clients_use_it(settings):
    from invoicing.models import Invoice

    client = Invoice._get_connection().connection.client
    assert isinstance(client._serializer, _Serializer)
    parser = client._endpoint._response_parser_factory.create_parser("json")
    assert isinstance(parser, _Parser)
