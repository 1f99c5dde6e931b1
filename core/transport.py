"""
DynamoDB requests sent without botocore's client machinery.

Every DynamoDB request is a JSON body POSTed with a SigV4 signature, the
operation named in `X-Amz-Target`, and every answer is JSON. For that much,
botocore's `BaseClient._make_api_call` walks the parameters shape by shape
into JSON with the standard library's encoder, resolves the endpoint from
its rule set (a JMESPath search through every item of a transaction), emits
a dozen events and walks the answer back: on the reconciliation job, half
of the CPU its requests cost (issue 19). `install` gives a client an
`_make_api_call` that sends the same request itself:

* the body is the parameters as they are (DynamoDB's wire form already is
  JSON; a binary value's bytes become base64, as botocore sends them),
  encoded with `orjson`;
* it is signed by the client's own request signer (its credentials, their
  refreshing, its region) and sent on the client's own HTTP session (its
  pool, time-outs, proxies and TLS settings);
* handlers registered on the client still see it: `provide-client-params`
  and `after-call` (the benchmarks' counters) and `before-send` (moto's
  mock answers there, as it does for botocore);
* a 200 answer is parsed with `orjson` (binary values back to bytes); any
  other is parsed by botocore's own parser and raised as botocore's own
  exception class, so a refused condition reaches PynamoDB as before.

Whether an attempt is sent again is botocore's standard retry rule
(`StandardRetryConditions`: throttling, 5xx, a dropped connection or a
time-out, a DynamoDB answer failing its CRC32), applied to the first
attempt here; a request it would retry goes to a twin botocore client
holding the attempts left, whose back-off and errors then apply unchanged.
So the configured number of attempts, and the time a page waits for a hung
DynamoDB, stay what they were. A transaction carries a ClientRequestToken
from its first attempt, so sending it again is idempotent, as in botocore.
"""

import base64
import threading
import uuid
from collections.abc import Callable

import orjson
from botocore.awsrequest import AWSRequest
from botocore.endpoint import convert_to_response_dict
from botocore.exceptions import BotoCoreError
from botocore.retries.standard import RetryContext, StandardRetryConditions

from core.wire import base64_text

TARGET_PREFIX = "DynamoDB_20120810."
CONTENT_TYPE = "application/x-amz-json-1.0"


def _blob(value):
    # What orjson cannot encode itself: a binary attribute value's bytes,
    # which DynamoDB's JSON carries as base64.
    if isinstance(value, bytes | bytearray | memoryview):
        return base64_text(value)
    raise TypeError(f"{type(value).__name__} is not a DynamoDB request value")


def _decode_blobs(value):
    """Every binary attribute value ({"B": base64}, {"BS": [...]}) back to bytes."""
    if isinstance(value, dict):
        if len(value) == 1:
            if isinstance(value.get("B"), str):
                return {"B": base64.b64decode(value["B"])}
            if isinstance(value.get("BS"), list):
                return {"BS": [base64.b64decode(v) for v in value["BS"]]}
        return {k: _decode_blobs(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode_blobs(v) for v in value]
    return value


class _Retry(Exception):
    """botocore's retry rule would send the first attempt again."""


class Sender:
    """
    One botocore DynamoDB client's requests, sent directly. `twin` builds a
    botocore client like it but with `attempts` in all (for the retries).
    """

    def __init__(self, client, twin: Callable[[int], object]):
        self.client = client
        self.url = client.meta.endpoint_url.rstrip("/") + "/"
        self.service_id = client.meta.service_model.service_id.hyphenize()
        self.user_agent = client._user_agent_creator.to_string()
        retries = client.meta.config.retries or {}
        self.attempts = retries.get("total_max_attempts") or (
            retries.get("max_attempts", 2) + 1
        )
        self._retry_rule = StandardRetryConditions(max_attempts=self.attempts)
        self._twin_build = twin
        self._twin = None
        self._lock = threading.Lock()

    def call(self, operation_name: str, params: dict) -> dict:
        if (
            operation_name == "TransactWriteItems"
            and "ClientRequestToken" not in params
        ):
            # As botocore would, but before the first attempt, so that a
            # retry is the same transaction.
            params["ClientRequestToken"] = str(uuid.uuid4())
        try:
            return self._attempt(operation_name, params)
        except _Retry:
            return self._retrying_client()._make_api_call(operation_name, params)

    def _retrying_client(self):
        with self._lock:
            if self._twin is None:
                self._twin = self._twin_build(self.attempts - 1)
            return self._twin

    def _attempt(self, operation_name: str, params: dict) -> dict:
        client = self.client
        events = client.meta.events
        operation_model = client.meta.service_model.operation_model(operation_name)
        context = {"client_region": client.meta.region_name}
        for _, replaced in events.emit(
            f"provide-client-params.{self.service_id}.{operation_name}",
            params=params, model=operation_model, context=context,
        ):  # fmt: skip
            if replaced is not None:
                params = replaced
                break
        request = AWSRequest(
            method="POST",
            url=self.url,
            data=orjson.dumps(params, default=_blob),
            headers={
                "X-Amz-Target": TARGET_PREFIX + operation_name,
                "Content-Type": CONTENT_TYPE,
                "User-Agent": self.user_agent,
            },
        )
        client._request_signer.sign(operation_name, request)
        prepared = request.prepare()
        response = None
        for _, answer in events.emit(
            f"before-send.{self.service_id}.{operation_name}", request=prepared
        ):
            if answer is not None:
                response = answer
                break
        if response is None:
            try:
                response = client._endpoint.http_session.send(prepared)
            except BotoCoreError as exc:
                self._retry_check(operation_model, caught_exception=exc)
                raise
        parsed = (
            self._parsed(response)
            if response.status_code == 200
            else self._parsed_error(operation_model, response)
        )
        self._retry_check(
            operation_model, parsed_response=parsed, http_response=response
        )
        events.emit(
            f"after-call.{self.service_id}.{operation_name}",
            http_response=response, parsed=parsed, model=operation_model,
            context=context,
        )  # fmt: skip
        if response.status_code != 200:
            error = parsed.get("Error", {})
            code = error.get("QueryErrorCode") or error.get("Code")
            raise client.exceptions.from_code(code)(parsed, operation_name)
        return parsed

    def _retry_check(self, operation_model, **outcome) -> None:
        """Raise _Retry if botocore's standard rule would send the attempt again."""
        if self.attempts > 1 and self._retry_rule.is_retryable(
            RetryContext(attempt_number=1, operation_model=operation_model, **outcome)
        ):
            raise _Retry()

    @staticmethod
    def _parsed(response) -> dict:
        content = response.content
        parsed = orjson.loads(content) if content else {}
        if b'"B"' in content or b'"BS"' in content:
            parsed = _decode_blobs(parsed)
        headers = dict(response.headers)
        parsed["ResponseMetadata"] = {
            "RequestId": headers.get("x-amzn-requestid", ""),
            "HTTPStatusCode": response.status_code,
            "HTTPHeaders": headers,
            "RetryAttempts": 0,
        }
        return parsed

    def _parsed_error(self, operation_model, response) -> dict:
        """A refused request's answer, parsed by botocore's own parser."""
        endpoint = self.client._endpoint
        parser = endpoint._response_parser_factory.create_parser("json")
        response_dict = convert_to_response_dict(response, operation_model)
        parsed = parser.parse(response_dict, operation_model.output_shape)
        # The error's own fields (a cancelled transaction's reasons), as
        # botocore's endpoint adds them.
        endpoint._add_modeled_error_fields(
            response_dict, parsed, operation_model, parser
        )
        return parsed


def install(client, *, twin: Callable[[int], object]) -> None:
    """Send this botocore DynamoDB client's API calls through a Sender (once)."""
    if isinstance(getattr(client, "_p2p_sender", None), Sender):
        return
    sender = Sender(client, twin)
    client._p2p_sender = sender

    # Looked up on each call, not bound once: what wraps Sender.call (the
    # tests' note of every write) applies to clients built before it.
    def api_call(operation_name, params):
        return sender.call(operation_name, params)

    client._make_api_call = api_call
