"""
The search-token table: the inverted index behind the header's search.

One item per term of a record (`core.search_index`), written and deleted in
the same transaction as the record itself, so search never finds a record
by a name it no longer has, nor misses one just written. Lookups are one
query of a partition by the start of the sort key, never a scan.
"""

from pynamodb.attributes import UnicodeAttribute

from core import dynamo
from core.dynamo import Model

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
