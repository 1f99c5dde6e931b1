"""
Secrets Manager values into the environment, for the scheduled jobs' Lambdas.

ECS hands a task its secrets itself (the web tier); Lambda has no such
injection. Writing the values into a function's environment at deploy time
would leave them readable by anyone allowed to read the function's
configuration, so the job functions carry only where each secret is, in
`P2P_SECRETS` (JSON: {"SECRET_KEY": {"arn": "..."}, "EMAIL_HOST_USER":
{"arn": "...", "key": "username"}}), and each cold start reads the values
with the job role's `secretsmanager:GetSecretValue`, before Django reads its
settings. A variable already set is left as it is.
"""

import json
import os
from collections.abc import Callable

SECRETS_VARIABLE = "P2P_SECRETS"


class SecretsUnreadable(RuntimeError):
    """P2P_SECRETS names a secret that cannot be read or is malformed; says which."""


def _secrets_manager_read(arn: str) -> str:
    import boto3

    return boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]


def secrets_load(read: Callable[[str], str] = _secrets_manager_read) -> list[str]:
    """Set each variable P2P_SECRETS names from its secret; return the names set."""
    spec = os.environ.get(SECRETS_VARIABLE, "").strip()
    if not spec:
        return []
    try:
        wanted = json.loads(spec)
    except ValueError as exc:
        raise SecretsUnreadable(f"{SECRETS_VARIABLE} is not JSON: {exc}") from None
    loaded, values = [], {}
    for name, where in wanted.items():
        if os.environ.get(name) or not where.get("arn"):
            continue
        arn = where["arn"]
        if arn not in values:
            try:
                values[arn] = read(arn)
            except Exception as exc:
                raise SecretsUnreadable(
                    f"{name}: the secret {arn} could not be read ({exc})."
                ) from exc
        value = values[arn]
        if where.get("key"):
            try:
                value = json.loads(value)[where["key"]]
            except (ValueError, KeyError, TypeError):
                raise SecretsUnreadable(
                    f"{name}: the secret {arn} has no JSON key {where['key']!r}."
                ) from None
        os.environ[name] = value
        loaded.append(name)
    return loaded
