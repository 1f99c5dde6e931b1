"""Comments on records, on CommentsTable: one item per comment, by record and time."""

from pynamodb.attributes import ListAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from core import dynamo
from core.dynamo import Model

# The longest comment: a few paragraphs, not a document.
MAX_COMMENT_LENGTH = 2000


def record_key(entity_type: str, record_id: str) -> str:
    return f"{entity_type}#{record_id}"


class RecordCreatedIndex(GlobalSecondaryIndex):
    """One record's thread in the order written: hash `record_key`, range `created_at`."""

    class Meta:
        index_name = "record-created-index"
        projection = AllProjection()

    record_key = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


@dynamo.register
class Comment(Model):
    """A comment; never changed nor deleted by the application, like an audit entry."""

    Meta = dynamo.table_meta("CommentsTable")

    id = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute()  # "invoice#<id>"
    entity_type = UnicodeAttribute()
    record_id = UnicodeAttribute()
    author = UnicodeAttribute()  # the user name, as on the audit trail
    text = UnicodeAttribute()
    # The users named with @ who were told (unknown names stay plain text).
    mentions = ListAttribute(of=UnicodeAttribute, default=list)
    created_at = UTCDateTimeAttribute()

    record_index = RecordCreatedIndex()
