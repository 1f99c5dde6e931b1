"""
The CloudFormation template (deploy/p2p-data.yaml, built by deploy.template)
against the models and the standards: every table's keys and indexes equal
its PynamoDB model's, with point-in-time recovery, deletion protection and
Retain; the buckets as `create_bucket` prepares them; cfn-lint clean; and
the committed YAML is what the builder builds today (no drift).
"""

from pathlib import Path

import pytest
import yaml

from core import dynamo
from deploy.data import resource_name, template
from tests.deploy.conftest import cfn_loader

pytestmark = pytest.mark.backend_free

TEMPLATE_FILE = Path(__file__).resolve().parents[2] / "deploy" / "p2p-data.yaml"


@pytest.fixture(scope="module")
def committed() -> dict:
    return yaml.load(TEMPLATE_FILE.read_text(), Loader=cfn_loader())


def test_the_committed_template_is_what_the_builder_builds(committed):
    built = template().to_dict()
    assert committed == built, (
        "deploy/p2p-data.yaml is out of date: run "
        "`.venv/bin/python -m deploy.template > deploy/p2p-data.yaml`"
    )


def test_every_table_equals_its_model(committed):
    resources = committed["Resources"]
    tables = {k: v for k, v in resources.items() if v["Type"] == "AWS::DynamoDB::Table"}
    models = dynamo.registered_models()
    assert len(tables) == len(models) == 18
    for model_cls in models:
        schema = model_cls._get_schema()
        table = tables[resource_name(model_cls.Meta.base_table_name)]["Properties"]
        assert table["TableName"] == {
            "Fn::Sub": f"${{TablePrefix}}{model_cls.Meta.base_table_name}"
        }
        assert table["KeySchema"] == schema["key_schema"]
        assert {
            (d["AttributeName"], d["AttributeType"])
            for d in table["AttributeDefinitions"]
        } == {
            (d["AttributeName"], d["AttributeType"])
            for d in schema["attribute_definitions"]
        }
        wanted = {
            index["index_name"]: (index["key_schema"], index["projection"]["ProjectionType"],
                                  sorted(index["projection"].get("NonKeyAttributes", [])))
            for index in schema["global_secondary_indexes"]
        }  # fmt: skip
        found = {
            index["IndexName"]: (index["KeySchema"], index["Projection"]["ProjectionType"],
                                 sorted(index["Projection"].get("NonKeyAttributes", [])))
            for index in table.get("GlobalSecondaryIndexes", [])
        }  # fmt: skip
        assert found == wanted, model_cls.__name__


def test_every_table_is_kept_recoverable_and_encrypted(committed):
    for name, resource in committed["Resources"].items():
        if resource["Type"] != "AWS::DynamoDB::Table":
            continue
        props = resource["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST", name
        assert props["PointInTimeRecoverySpecification"] == {
            "PointInTimeRecoveryEnabled": True
        }, name
        assert props["DeletionProtectionEnabled"] is True, name
        assert (
            resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
        ), name
        assert "SSESpecification" in props, name


def test_the_document_bucket_is_as_create_bucket_prepares_it(committed):
    resources = committed["Resources"]
    bucket = resources["DocumentBucket"]
    props = bucket["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    rule = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule == {
        "ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
        "BucketKeyEnabled": True,
    }
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert len(props["PublicAccessBlockConfiguration"]) == 4
    lifecycle = props["LifecycleConfiguration"]["Rules"][0]
    assert lifecycle["NoncurrentVersionExpiration"]["NoncurrentDays"] > 0
    assert bucket["DeletionPolicy"] == "Retain"
    for policy_name, bucket_name in (("DocumentBucketPolicy", "DocumentBucket"),
                                     ("AuditDigestBucketPolicy", "AuditDigestBucket")):  # fmt: skip
        policy = resources[policy_name]["Properties"]
        assert policy["Bucket"] == {"Ref": bucket_name}
        (statement,) = policy["PolicyDocument"]["Statement"]
        assert statement["Effect"] == "Deny"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_audit_digest_bucket_locks_in_compliance_mode(committed):
    props = committed["Resources"]["AuditDigestBucket"]["Properties"]
    assert props["ObjectLockEnabled"] is True
    retention = props["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    assert retention == {
        "Mode": "COMPLIANCE",
        "Days": {"Ref": "AuditDigestRetentionDays"},
    }
    assert committed["Parameters"]["AuditDigestRetentionDays"]["Default"] == "2557"


@pytest.mark.parametrize("name", ["data", "app"])
def test_cfn_lint_finds_no_error_or_warning(cfn_lint_findings, name):
    # As the `cfn-lint` command reports by default: errors (E) and warnings
    # (W), not the informational (I) hints.
    assert cfn_lint_findings[name] == []
