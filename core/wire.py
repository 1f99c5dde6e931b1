"""
DynamoDB's attribute values on the wire, without botocore's per-value walk.

botocore turns every request into JSON and every answer back by walking
the service model shape by shape; for DynamoDB's `AttributeValue` (an item's
every value, nested in maps and lists) that walk was a sixth of the
reconciliation job's own CPU (issue 19). On the wire an attribute value is
already the JSON botocore would produce or accept, except binary values
(`B`, `BS`), which are base64 there and bytes in Python. This module gives a
botocore client a parser and a serializer that handle `AttributeValue` in
one small recursive function each and leave every other shape to botocore.
`tests/core/test_wire.py` checks both against botocore's own on values of
every type. The models' clients send their requests through
`core.transport`, which needs neither; these serve the requests it hands to
botocore (its retries, a refusal's parsing) and any other botocore client.
"""

import base64

from botocore import parsers, serialize

ATTRIBUTE_VALUE = "AttributeValue"


def value_from_wire(value: dict) -> dict:
    """An attribute value as botocore parses it from the answer's JSON."""
    if "M" in value:
        return {"M": {k: value_from_wire(v) for k, v in value["M"].items()}}
    if "L" in value:
        return {"L": [value_from_wire(v) for v in value["L"]]}
    if "B" in value:
        return {"B": base64.b64decode(value["B"])}
    if "BS" in value:
        return {"BS": [base64.b64decode(v) for v in value["BS"]]}
    return value  # S, N, SS, NS, BOOL, NULL: the same in JSON and in Python


def value_to_wire(value: dict) -> dict:
    """An attribute value as botocore serializes it into the request's JSON."""
    if "M" in value:
        return {"M": {k: value_to_wire(v) for k, v in value["M"].items()}}
    if "L" in value:
        return {"L": [value_to_wire(v) for v in value["L"]]}
    if "B" in value:
        return {"B": base64_text(value["B"])}
    if "BS" in value:
        return {"BS": [base64_text(v) for v in value["BS"]]}
    return value


def base64_text(data) -> str:
    """Binary data (or text, as UTF-8) as the base64 DynamoDB's JSON carries."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return base64.b64encode(data).decode("ascii")


class _Parser(parsers.JSONParser):
    def _handle_structure(self, shape, value):
        if shape.name == ATTRIBUTE_VALUE and isinstance(value, dict):
            return value_from_wire(value)
        return super()._handle_structure(shape, value)

    def _handle_map(self, shape, value):
        # An item (names to attribute values): its keys are plain strings.
        if shape.value.name == ATTRIBUTE_VALUE and shape.key.type_name == "string":
            values = shape.value
            return {
                k: value_from_wire(v)
                if isinstance(v, dict)
                else self._parse_shape(values, v)
                for k, v in value.items()
            }
        return super()._handle_map(shape, value)


class _ParserFactory:
    """botocore's parser factory, with our parser for the JSON protocol."""

    def __init__(self, factory):
        self._factory = factory

    def create_parser(self, protocol_name: str):
        if protocol_name == "json":
            return _Parser(**self._factory._defaults)
        return self._factory.create_parser(protocol_name)


class _Serializer(serialize.JSONSerializer):
    def _serialize_type_structure(self, serialized, value, shape, key):
        if shape.name == ATTRIBUTE_VALUE and key is not None:
            serialized[key] = value_to_wire(value)
            return
        super()._serialize_type_structure(serialized, value, shape, key)

    def _serialize_type_map(self, serialized, value, shape, key):
        if shape.value.name == ATTRIBUTE_VALUE and shape.key.type_name == "string":
            serialized[key] = {k: value_to_wire(v) for k, v in value.items()}
            return
        super()._serialize_type_map(serialized, value, shape, key)


def fast_values_install(client) -> None:
    """Give a botocore DynamoDB client the fast attribute values (once)."""
    if getattr(client, "_p2p_fast_values", False):
        return
    if type(client._serializer) is serialize.JSONSerializer:
        client._serializer.__class__ = _Serializer
    endpoint = client._endpoint
    if not isinstance(endpoint._response_parser_factory, _ParserFactory):
        endpoint._response_parser_factory = _ParserFactory(
            endpoint._response_parser_factory
        )
    client._p2p_fast_values = True
