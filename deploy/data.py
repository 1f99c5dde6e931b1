"""
The data stack (deploy/p2p-data.yaml, issue 20), built with troposphere from
the same model registry the application creates its tables from, so model and
infrastructure cannot drift.

It is a stack of its own, apart from the application stack (deploy/app.py):
everything in it is retained and lives for years, while the app stack is
torn down and redeployed at will without touching a record. The app stack
takes this one's names (table prefix, bucket names) as parameters rather
than ImportValue, so this template stays as it was deployed and a stack's
exports never pin the two together.

This is the data tier: every registered DynamoDB table with its keys and
indexes (on-demand, point-in-time recovery, deletion protection, retained on
stack deletion or replacement, encrypted with AWS's key or a customer-managed
KMS key), the document bucket as `manage.py create_bucket` prepares it
(versioned, AES256 with a bucket key, no public access, TLS only, noncurrent
versions expired) and the audit-digest bucket (Object Lock in compliance
mode, as `create_bucket --audit-digests`).

    .venv/bin/python -m deploy.template > deploy/p2p-data.yaml   (or: make template)

`tests/deploy/test_template.py` checks the committed YAML is what this
builds, that every table equals its model, and runs cfn-lint over it.
"""

from troposphere import (
    Equals,
    If,
    Not,
    Output,
    Parameter,
    Ref,
    Sub,
    Template,
    s3,
)
from troposphere import dynamodb as ddb

DESCRIPTION = (
    "P2P: DynamoDB tables (from the PynamoDB models), the document bucket "
    "and the audit-digest bucket"
)
NONCURRENT_VERSION_DAYS = 365
# AUDIT_DIGEST_RETENTION_DAYS' default (7 years): the stack's parameter
# default, so the template does not depend on the machine that builds it.
DIGEST_RETENTION_DAYS = 2557


def table_schemas() -> list[tuple[str, dict]]:
    """(base table name, PynamoDB schema) of every registered model, in order."""
    from core import dynamo

    return [
        (model_cls.Meta.base_table_name, model_cls._get_schema())
        for model_cls in dynamo.registered_models()
    ]


def resource_name(base_table_name: str) -> str:
    """The table's logical id: `InvoicesTable` stays `InvoicesTable`."""
    return "".join(ch for ch in base_table_name if ch.isalnum())


def _projection(index: dict) -> ddb.Projection:
    projection = index["projection"]
    kwargs = {"ProjectionType": projection["ProjectionType"]}
    if projection.get("NonKeyAttributes"):
        kwargs["NonKeyAttributes"] = sorted(projection["NonKeyAttributes"])
    return ddb.Projection(**kwargs)


def _keys(key_schema: list[dict]) -> list[ddb.KeySchema]:
    return [
        ddb.KeySchema(AttributeName=k["AttributeName"], KeyType=k["KeyType"])
        for k in key_schema
    ]


def _table(base_name: str, schema: dict) -> ddb.Table:
    definitions = {
        d["AttributeName"]: d["AttributeType"] for d in schema["attribute_definitions"]
    }
    kwargs = {}
    for key, index_cls, indexes in (
        ("GlobalSecondaryIndexes", ddb.GlobalSecondaryIndex,
         sorted(schema["global_secondary_indexes"], key=lambda i: i["index_name"])),
        ("LocalSecondaryIndexes", ddb.LocalSecondaryIndex,
         schema["local_secondary_indexes"]),
    ):  # fmt: skip
        if indexes:
            kwargs[key] = [
                index_cls(
                    IndexName=index["index_name"],
                    KeySchema=_keys(index["key_schema"]),
                    Projection=_projection(index),
                )
                for index in indexes
            ]
    return ddb.Table(
        resource_name(base_name),
        TableName=Sub(f"${{TablePrefix}}{base_name}"),
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            ddb.AttributeDefinition(AttributeName=name, AttributeType=kind)
            for name, kind in sorted(definitions.items())
        ],
        KeySchema=_keys(schema["key_schema"]),
        PointInTimeRecoverySpecification=ddb.PointInTimeRecoverySpecification(
            PointInTimeRecoveryEnabled=True
        ),
        DeletionProtectionEnabled=True,
        SSESpecification=ddb.SSESpecification(
            SSEEnabled=If("UseKmsKey", True, False),
            SSEType=If("UseKmsKey", "KMS", Ref("AWS::NoValue")),
            KMSMasterKeyId=If("UseKmsKey", Ref("KmsKeyArn"), Ref("AWS::NoValue")),
        ),
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
        **kwargs,
    )


def _tls_only_policy(logical_id: str, bucket: s3.Bucket) -> s3.BucketPolicy:
    arn = Sub(f"arn:${{AWS::Partition}}:s3:::${{{bucket.title}}}")
    objects = Sub(f"arn:${{AWS::Partition}}:s3:::${{{bucket.title}}}/*")
    return s3.BucketPolicy(
        logical_id,
        Bucket=Ref(bucket),
        PolicyDocument={
            "Version": "2012-10-17",
            "Statement": [
                {
                    # As `manage.py create_bucket` writes it.
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [arn, objects],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        },
    )


def _bucket_encryption() -> s3.BucketEncryption:
    return s3.BucketEncryption(
        ServerSideEncryptionConfiguration=[
            s3.ServerSideEncryptionRule(
                ServerSideEncryptionByDefault=s3.ServerSideEncryptionByDefault(
                    SSEAlgorithm="AES256"
                ),
                BucketKeyEnabled=True,
            )
        ]
    )


def _public_access_block() -> s3.PublicAccessBlockConfiguration:
    return s3.PublicAccessBlockConfiguration(
        BlockPublicAcls=True,
        BlockPublicPolicy=True,
        IgnorePublicAcls=True,
        RestrictPublicBuckets=True,
    )


def _owner_enforced() -> s3.OwnershipControls:
    """No ACLs: every object is the bucket owner's (as create_bucket leaves it)."""
    return s3.OwnershipControls(
        Rules=[s3.OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]
    )


# checkov's suppression (Metadata only: deploying it changes no resource).
_NO_ACCESS_LOGS = {
    "checkov": {
        "skip": [
            {
                "id": "CKV_AWS_18",
                "comment": "Server access logs need a log bucket of their own; "
                "every change to a document is audited in DynamoDB, and CloudTrail "
                "data events are the account's choice.",
            }
        ]
    }
}


def _buckets(template: Template) -> None:
    from core import object_lock

    documents = template.add_resource(
        s3.Bucket(
            "DocumentBucket",
            BucketName=If(
                "NameDocumentBucket", Ref("DocumentBucketName"), Ref("AWS::NoValue")
            ),
            VersioningConfiguration=s3.VersioningConfiguration(Status="Enabled"),
            BucketEncryption=_bucket_encryption(),
            PublicAccessBlockConfiguration=_public_access_block(),
            OwnershipControls=_owner_enforced(),
            LifecycleConfiguration=s3.LifecycleConfiguration(
                Rules=[
                    s3.LifecycleRule(
                        Id="ExpireNoncurrentVersions",
                        Status="Enabled",
                        NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(
                            NoncurrentDays=NONCURRENT_VERSION_DAYS
                        ),
                        AbortIncompleteMultipartUpload=s3.AbortIncompleteMultipartUpload(
                            DaysAfterInitiation=7
                        ),
                    )
                ]
            ),
            DeletionPolicy="Retain",
            UpdateReplacePolicy="Retain",
            Metadata=_NO_ACCESS_LOGS,
        )
    )
    template.add_resource(_tls_only_policy("DocumentBucketPolicy", documents))
    digests = template.add_resource(
        s3.Bucket(
            "AuditDigestBucket",
            ObjectLockEnabled=True,
            ObjectLockConfiguration=s3.ObjectLockConfiguration(
                ObjectLockEnabled="Enabled",
                Rule=s3.ObjectLockRule(
                    DefaultRetention=s3.DefaultRetention(
                        Mode=object_lock.MODE, Days=Ref("AuditDigestRetentionDays")
                    )
                ),
            ),
            VersioningConfiguration=s3.VersioningConfiguration(Status="Enabled"),
            BucketEncryption=_bucket_encryption(),
            PublicAccessBlockConfiguration=_public_access_block(),
            OwnershipControls=_owner_enforced(),
            DeletionPolicy="Retain",
            UpdateReplacePolicy="Retain",
            Metadata=_NO_ACCESS_LOGS,
        )
    )
    template.add_resource(_tls_only_policy("AuditDigestBucketPolicy", digests))
    template.add_output(Output("DocumentBucketName", Value=Ref(documents)))
    template.add_output(Output("AuditDigestBucketName", Value=Ref(digests)))


def template() -> Template:
    """The data tier's template."""
    t = Template(Description=DESCRIPTION)
    t.set_version("2010-09-09")
    t.add_parameter(
        Parameter(
            "TablePrefix",
            Type="String",
            Default="p2p-prod-",
            AllowedPattern="[A-Za-z0-9_.-]*",
            Description="Put before every table name (DYNAMODB_TABLE_PREFIX).",
        )
    )
    t.add_parameter(
        Parameter(
            "KmsKeyArn",
            Type="String",
            Default="",
            Description="A customer-managed KMS key for the tables; empty: AWS-owned key.",
        )
    )
    t.add_parameter(
        Parameter(
            "DocumentBucketName",
            Type="String",
            Default="",
            Description="AWS_STORAGE_BUCKET_NAME; empty: CloudFormation names it.",
        )
    )
    t.add_parameter(
        Parameter(
            "AuditDigestRetentionDays",
            Type="Number",
            Default=str(DIGEST_RETENTION_DAYS),
            MinValue=1,
            Description="Object Lock retention of each audit digest (AUDIT_DIGEST_RETENTION_DAYS).",
        )
    )
    t.add_condition("UseKmsKey", Not(Equals(Ref("KmsKeyArn"), "")))
    t.add_condition("NameDocumentBucket", Not(Equals(Ref("DocumentBucketName"), "")))
    for base_name, schema in table_schemas():
        table = t.add_resource(_table(base_name, schema))
        t.add_output(Output(f"{table.title}Name", Value=Ref(table)))
    _buckets(t)
    return t
