"""
Least privilege for the app stack: one role per component, named actions on
named resources, and every component's DynamoDB and S3 access as data here.

What each component calls was read from the code, not guessed:

- PynamoDB's `save` is PutItem, `update` UpdateItem, `delete` DeleteItem,
  `get` GetItem, `batch_get` BatchGetItem, `batch_write` BatchWriteItem (puts
  and deletes alike: IAM cannot tell them apart), `query` Query, and a
  `TransactWrite` is authorised item by item (its Put, Update, Delete and
  ConditionCheck need PutItem, UpdateItem, DeleteItem, ConditionCheckItem).
- Deletes (`grep -rn '.delete(' */services.py core/writes.py`): a vendor, a
  pending PO, an invoice's number guard (on void or correction), a bank
  account's active-currency guard, a record's old search tokens. Nothing
  else is ever deleted by the app.
- Batch writes: the ledger's payment rows and the ageing summary's parts
  (InvoicesTable), the mail outbox (MailOutboxTable).
- Scans: only operators' commands (`index_vendors`, `index_vendor_tax_ids`,
  `index_search`, `verify_audit`, `create_tables`): no application role may
  Scan; they run with an operator's credentials, as the one-off steps do.
- The jobs' lists come from running each scheduled command's tests with
  every AWS request recorded (the tables and operations each one made).

The audit entries (AuditLogTable) are append-only: no application role has
DeleteItem, BatchWriteItem, or UpdateItem on an entry. Chain heads live in
the same table under `chain#<record>` keys and move by UpdateItem, so
UpdateItem there is allowed only on keys starting `chain#`
(`dynamodb:LeadingKeys`). Entries are written by PutItem inside
TransactWriteItems with `attribute_not_exists(id)`; IAM cannot require that
condition, so a role that can PutItem could in principle overwrite an entry
by its id: the hash chain (`verify_audit`) is what detects that.
"""

from troposphere import Sub

# --- DynamoDB action sets ------------------------------------------------

READ = (
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
)
PUT = ("dynamodb:PutItem",)
UPDATE = ("dynamodb:UpdateItem",)
DELETE = ("dynamodb:DeleteItem",)
BATCH_WRITE = ("dynamodb:BatchWriteItem",)
WRITE = PUT + UPDATE

AUDIT_TABLE = "AuditLogTable"
# audit.models.AuditChainHead.key: the only items of the audit table that move.
CHAIN_HEAD_KEYS = "chain#*"
# Never granted on the audit table to anyone (tested over the template).
AUDIT_FORBIDDEN = DELETE + BATCH_WRITE + UPDATE

# --- Who touches which table how -------------------------------------------
# A component's access: {base table name: actions}. The audit table's
# UpdateItem is added separately, scoped to the chain heads (see above):
# list the audit table with READ + PUT only.

AUDITED = {AUDIT_TABLE: READ + PUT}

# core.leases: every scheduled run takes its job's lease (a conditional
# PutItem), renews it (UpdateItem), reads who holds it (GetItem) and
# releases it (DeleteItem, on condition it owns it). Only the jobs do.
LEASE_TABLE = "JobLeasesTable"
LEASED = {LEASE_TABLE: ("dynamodb:GetItem",) + PUT + UPDATE + DELETE}

# The web tasks: every page and API call. Every table is read and written;
# the exceptions below are what only some tables need.
WEB_DELETES = {
    "VendorsTable": "vendor_delete (a vendor without POs)",
    "PurchaseOrdersTable": "purchase_order_delete (a pending PO)",
    "InvoicesTable": "an invoice's number guard, freed on void or correction",
    "BankAccountsTable": "treasury: an account's active-currency guard moving",
    "SearchTokensTable": "core.writes: a record's tokens for terms it lost",
}
WEB_BATCH_WRITES = {
    "InvoicesTable": "invoicing.posting.ledger_payments_record (a run's ledger rows)",
    "MailOutboxTable": "core.mail_outbox.outbox_save (mails after a commit)",
}


def web_access(tables: list[str]) -> dict[str, tuple[str, ...]]:
    """The web task's actions per table."""
    access = {}
    for table in tables:
        if table == LEASE_TABLE:
            continue  # the jobs' alone
        if table == AUDIT_TABLE:
            access[table] = AUDITED[AUDIT_TABLE]
            continue
        actions = READ + WRITE
        if table in WEB_DELETES:
            actions += DELETE
        if table in WEB_BATCH_WRITES:
            actions += BATCH_WRITE
        access[table] = actions
    return access


# The jobs: {command: {table: actions}}, each job on the tables it touches
# only; the audit table's chain-head UpdateItem comes with AUDITED (every job
# that writes entries). Recorded from each command's tests, then read in the
# code for the paths those tests do not take (noted).
CODE_TABLES = ("CostCentresTable", "GlAccountsTable", "TaxCodesTable")
JOB_ACCESS: dict[str, dict[str, tuple[str, ...]]] = {
    "reconcile_invoices": {
        # BatchWriteItem: the ageing summary's parts, refreshed after a run
        # that changed something (reports.apps, reconciliation_finished);
        # PutItem: the dashboard's statistics, refreshed the same way.
        "InvoicesTable": READ + WRITE + BATCH_WRITE,
        # Invoiced quantities on the PO's lines, in the invoice's transaction.
        "PurchaseOrdersTable": READ + UPDATE,
        # The ageing refresh names the vendors (not in the recorded tests).
        "VendorsTable": READ,
        **AUDITED,
    },
    # Reads the rejected invoices; mails through SMTP at once (no outbox).
    "send_digest": {"InvoicesTable": READ},
    "refresh_dashboard": {"InvoicesTable": READ + PUT, AUDIT_TABLE: READ},
    # Reads the every-entry index; writes to the digest bucket, never DynamoDB.
    "audit_digest": {AUDIT_TABLE: READ},
    "import_einvoices": {
        "EInvoiceIntakeTable": READ + WRITE,
        "InvoicesTable": READ + WRITE,
        "PurchaseOrdersTable": READ + UPDATE,
        "VendorsTable": READ,
        "SearchTokensTable": READ + PUT,
        **dict.fromkeys(CODE_TABLES, READ),
        **AUDITED,
    },
    # The summary's parts put and the stale ones deleted, in batches.
    "refresh_ageing": {"InvoicesTable": READ + BATCH_WRITE, "VendorsTable": READ},
    # Each mail claimed and marked by a conditional UpdateItem.
    "send_mail_outbox": {"MailOutboxTable": READ + UPDATE},
    "raise_recurring_invoices": {
        "RecurringInvoicesTable": READ + UPDATE,
        "InvoicesTable": READ + WRITE,
        "VendorsTable": READ,
        "SearchTokensTable": READ + PUT,
        # The approvers' mails: outbox_save's batch, then marked by update.
        "MailOutboxTable": READ + WRITE + BATCH_WRITE,
        **dict.fromkeys(CODE_TABLES, READ),
        **AUDITED,
    },
    # Works on S3 only (invoices/held/).
    "discard_held_attachments": {},
}
for _access in JOB_ACCESS.values():
    _access.update(LEASED)

# --- S3: prefixes of the document bucket, as the code writes them -----------
# core.documents keys: invoices/<id>/<uuid> (attachments; invoices/held/ for a
# refused entry's file), einvoices/<folder>/ (e-invoice XML and PDF),
# payments/<year>/<run>/ (bank files), bank-statements/<year>/ (camt.053).
DOCUMENT_PREFIXES = ("invoices", "einvoices", "payments", "bank-statements")
# Where a Peppol access point drops e-invoices for import_einvoices
# (EINVOICE_DROP_LOCATION), moved below imported/ once taken in.
EINVOICE_DROP_PREFIX = "einvoice-drop"
# AUDIT_DIGEST_LOCATION's prefix in the audit-digest bucket.
DIGEST_PREFIX = "digests"


def table_arns(tables, *, indexes: bool) -> list:
    """The tables' ARNs (and their indexes', when `indexes`)."""
    arns = []
    for table in tables:
        arn = (
            "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}"
            f":table/${{TablePrefix}}{table}"
        )
        arns.append(Sub(arn))
        if indexes:
            arns.append(Sub(arn + "/index/*"))
    return arns


def dynamodb_statements(access: dict[str, tuple[str, ...]]) -> list[dict]:
    """
    IAM statements granting `access`, one per distinct set of actions (reads
    on the tables and their indexes, writes on the tables), plus the audit
    table's chain heads' UpdateItem when the audit table is written.
    """
    by_actions: dict[tuple[str, ...], list[str]] = {}
    for table, actions in sorted(access.items()):
        by_actions.setdefault(tuple(sorted(actions)), []).append(table)
    statements = []
    for actions, tables in sorted(by_actions.items()):
        reads = [a for a in actions if a in READ]
        writes = [a for a in actions if a not in READ]
        if reads:
            statements.append(
                {
                    "Effect": "Allow",
                    "Action": reads,
                    "Resource": table_arns(tables, indexes=True),
                }
            )
        if writes:
            statements.append(
                {
                    "Effect": "Allow",
                    "Action": writes,
                    "Resource": table_arns(tables, indexes=False),
                }
            )
    if "dynamodb:PutItem" in access.get(AUDIT_TABLE, ()):
        statements.append(
            {
                # Chain heads only: an audit entry's key never starts "chain#".
                "Effect": "Allow",
                "Action": list(UPDATE),
                "Resource": table_arns([AUDIT_TABLE], indexes=False),
                "Condition": {
                    "ForAllValues:StringLike": {
                        "dynamodb:LeadingKeys": [CHAIN_HEAD_KEYS]
                    }
                },
            }
        )
    return statements


def _import_einvoices_s3() -> list[dict]:
    return [
        # The drop: read, and moved below imported/ (CopyObject: GetObject on
        # the source, PutObject on the copy; then DeleteObject).
        objects_statement(
            "DocumentBucketName", [EINVOICE_DROP_PREFIX],
            ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
        ),
        objects_statement(
            "DocumentBucketName", ["einvoices"],
            ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
        ),
        listing_statement("DocumentBucketName"),
    ]  # fmt: skip


def _discard_held_attachments_s3() -> list[dict]:
    return [
        objects_statement(
            "DocumentBucketName", ["invoices/held"], ["s3:DeleteObject", "s3:GetObject"]
        ),
        listing_statement("DocumentBucketName"),
    ]


def _audit_digest_s3() -> list[dict]:
    return [
        # A digest is put with its Object Lock retention (PutObjectRetention)
        # and If-None-Match; the previous one is read to chain onto it.
        objects_statement(
            "AuditDigestBucketName", [DIGEST_PREFIX],
            ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectRetention"],
        ),
        listing_statement("AuditDigestBucketName", versions=True),
    ]  # fmt: skip


JOB_S3 = {
    # A run that wrote entries writes a digest after it (audit_digest_after_job).
    "reconcile_invoices": _audit_digest_s3,
    "import_einvoices": _import_einvoices_s3,
    "discard_held_attachments": _discard_held_attachments_s3,
    "audit_digest": _audit_digest_s3,
}


def bucket_arn(bucket_param: str, *prefix: str):
    suffix = "/".join(prefix)
    return Sub(
        f"arn:${{AWS::Partition}}:s3:::${{{bucket_param}}}"
        + (f"/{suffix}" if prefix else "")
    )


def objects_statement(bucket_param: str, prefixes, actions) -> dict:
    """`actions` on the objects under `prefixes` of the bucket named by `bucket_param`."""
    return {
        "Effect": "Allow",
        "Action": sorted(actions),
        "Resource": [bucket_arn(bucket_param, f"{p}/*") for p in prefixes],
    }


def listing_statement(bucket_param: str, *, versions: bool = False) -> dict:
    """
    ListBucket on the bucket named by `bucket_param`. Not narrowed by
    `s3:prefix`: a HeadObject of a missing key (django-storages' `exists`,
    before every document is written) answers 404 only to a caller that may
    list the bucket unconditionally, else 403, which would fail every save.
    It lists names, never contents: the objects stay scoped by prefix.
    """
    return {
        "Effect": "Allow",
        "Action": ["s3:ListBucket"] + (["s3:ListBucketVersions"] if versions else []),
        "Resource": bucket_arn(bucket_param),
    }


def kms_table_key_statement() -> dict:
    """A customer-managed table key (KmsKeyArn), used only through DynamoDB."""
    return {
        "Effect": "Allow",
        "Action": [
            "kms:Decrypt",
            "kms:DescribeKey",
            "kms:Encrypt",
            "kms:GenerateDataKey",
        ],
        "Resource": Sub("${KmsKeyArn}"),
        "Condition": {
            "StringEquals": {
                "kms:ViaService": Sub("dynamodb.${AWS::Region}.amazonaws.com")
            }
        },
    }


def assume(service: str) -> dict:
    """A trust policy letting `service` assume the role, for this account only."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": Sub("${AWS::AccountId}")}
                },
            }
        ],
    }
