"""A job Lambda's secrets, read from Secrets Manager at a cold start (core.secrets)."""

import json
import os

import boto3
import pytest
from moto import mock_aws

from core.secrets import SecretsUnreadable, secrets_load

pytestmark = pytest.mark.backend_free


def test_the_variables_named_get_their_secrets_values(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("EMAIL_HOST_USER", raising=False)
    monkeypatch.delenv("EMAIL_HOST_PASSWORD", raising=False)
    monkeypatch.setenv(
        "P2P_SECRETS",
        json.dumps(
            {
                "SECRET_KEY": {"arn": "arn:key"},
                "EMAIL_HOST_USER": {"arn": "arn:smtp", "key": "username"},
                "EMAIL_HOST_PASSWORD": {"arn": "", "key": "password"},  # no mail
            }
        ),
    )
    stored = {"arn:key": "s3cr3t-key", "arn:smtp": '{"username": "ap@example.com"}'}

    assert secrets_load(stored.__getitem__) == ["SECRET_KEY", "EMAIL_HOST_USER"]

    assert os.environ["SECRET_KEY"] == "s3cr3t-key"
    assert os.environ["EMAIL_HOST_USER"] == "ap@example.com"
    assert "EMAIL_HOST_PASSWORD" not in os.environ  # no SMTP secret configured


def test_a_variable_already_set_is_left_as_it_is(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-operator")
    monkeypatch.setenv("P2P_SECRETS", '{"SECRET_KEY": {"arn": "arn:key"}}')

    def never(arn):
        raise AssertionError("read a secret it did not need")

    assert secrets_load(never) == []


def test_an_unreadable_secret_is_named(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("P2P_SECRETS", '{"DATABASE_URL": {"arn": "arn:db"}}')

    def denied(arn):
        raise PermissionError("AccessDenied")

    with pytest.raises(SecretsUnreadable, match="DATABASE_URL: the secret arn:db"):
        secrets_load(denied)


def test_without_p2p_secrets_nothing_is_read(monkeypatch):
    monkeypatch.delenv("P2P_SECRETS", raising=False)
    assert secrets_load(lambda arn: pytest.fail("read")) == []


def test_the_values_come_from_secrets_manager(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    with mock_aws():
        arn = boto3.client("secretsmanager", region_name="eu-central-1").create_secret(
            Name="p2p-prod-database-url", SecretString="postgres://p2p:pw@db/p2p"
        )["ARN"]
        monkeypatch.setenv("P2P_SECRETS", json.dumps({"DATABASE_URL": {"arn": arn}}))

        assert secrets_load() == ["DATABASE_URL"]

    assert os.environ["DATABASE_URL"] == "postgres://p2p:pw@db/p2p"
