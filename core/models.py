"""
The search-token table: the inverted index behind the header's search.

One item per term of a record (`core.search_index`), written and deleted in
the same transaction as the record itself, so search never finds a record
by a name it no longer has, nor misses one just written. Lookups are one
query of a partition by the start of the sort key, never a scan.

Also the mail outbox's table (MailOutboxTable), which core.mail_outbox
writes and drains.
"""

from pynamodb.attributes import (
    ListAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from core import dynamo
from core.dynamo import IntegerAttribute, Model

# Sorts before every letter and digit a term holds, so a whole term comes
# before the longer terms it begins (`4#…` before `40#…`).
SEPARATOR = "#"
ACCOUNTS = "account"


def token_shard(kind: str, term: str) -> str:
    """
    The partition of a term: its kind and first character, which a query
    always knows, spreading a kind's terms over some forty partitions.
    """
    return f"{kind}{SEPARATOR}{term[0]}"


def account_shard(kind: str) -> str:
    """The partition of a kind's account digests, apart from its words."""
    return f"{kind}{SEPARATOR}{ACCOUNTS}"


@dynamo.register
class SearchToken(Model):
    Meta = dynamo.table_meta("SearchTokensTable")

    shard = UnicodeAttribute(hash_key=True)  # token_shard() or account_shard()
    term_id = UnicodeAttribute(range_key=True)  # "<term>#<record id>"
    record_id = UnicodeAttribute()

    @classmethod
    def of(cls, kind: str, record_id: str, terms) -> list["SearchToken"]:
        """Return the items holding `terms` (a SearchTerms) of one record."""
        items = [
            cls(token_shard(kind, word), f"{word}{SEPARATOR}{record_id}")
            for word in terms.words
        ]
        items += [
            cls(account_shard(kind), f"{digest}{SEPARATOR}{record_id}")
            for digest in terms.accounts
        ]
        for item in items:
            item.record_id = record_id
        return items


# --- The mail outbox (core.mail_outbox) ---------------------------------------

DUE = "due"


class OutboxState:
    DUE = "due"
    SENT = "sent"
    FAILED = "failed"


class DueIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "due-index"
        projection = AllProjection()

    queue = UnicodeAttribute(hash_key=True)
    due_at = UTCDateTimeAttribute(range_key=True)


@dynamo.register
class MailOutboxItem(Model):
    """One e-mail to one recipient list, until sent (or given up)."""

    Meta = dynamo.table_meta("MailOutboxTable")

    id = UnicodeAttribute(hash_key=True)
    # The notification that wrote it (`notify_po_approved`), for the logs.
    kind = UnicodeAttribute()
    subject = UnicodeAttribute()
    body = UnicodeAttribute()
    # An HTML alternative of `body` (a remittance advice), None for text only.
    html_body = UnicodeAttribute(null=True)
    to = ListAttribute(of=UnicodeAttribute)
    from_email = UnicodeAttribute(null=True)
    state = UnicodeAttribute(default=OutboxState.DUE)
    queue = UnicodeAttribute(null=True)  # DUE while it is to be sent: the index key
    due_at = UTCDateTimeAttribute()
    attempts = IntegerAttribute(default=0)
    lease_owner = UnicodeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    sent_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()

    due_index = DueIndex()


# --- Job leases (core.leases) -------------------------------------------------


@dynamo.register
class JobLease(Model):
    """One scheduled job's lease: who runs it now, and until when."""

    Meta = dynamo.table_meta("JobLeasesTable")

    name = UnicodeAttribute(hash_key=True)  # "reconcile_invoices#shard-0-of-4"
    owner = UnicodeAttribute()  # a token per run: host, pid and a random part
    taken_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
