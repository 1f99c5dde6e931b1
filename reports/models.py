"""
What the reports keep: the journal exports handed to the general ledger
(JournalExportsTable), so a document posted into an exported period is
flagged as a late posting.
"""

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from core import dynamo
from core.dynamo import IntegerAttribute, Model

# Every export carries this in `listing`: a company exports a period a month
# or so, one index partition lists them all by the period's last day.
EXPORT_LISTING = "journal_export"


class ExportPeriodIndex(GlobalSecondaryIndex):
    """Every journal export by the last day of its period."""

    class Meta:
        index_name = "listing-period-end-index"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    period_end = UnicodeAttribute(range_key=True)


@dynamo.register
class JournalExport(Model):
    """One journal file handed to the general ledger; never changed afterwards."""

    Meta = dynamo.table_meta("JournalExportsTable")

    id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(default=EXPORT_LISTING)
    period_start = UnicodeAttribute()  # ISO date
    period_end = UnicodeAttribute()  # ISO date
    format = UnicodeAttribute()  # "csv" | "datev"
    file_name = UnicodeAttribute()
    sha256 = UnicodeAttribute()
    entry_count = IntegerAttribute()
    line_count = IntegerAttribute()
    late_count = IntegerAttribute(default=0)
    exported_by = UnicodeAttribute()
    exported_at = UTCDateTimeAttribute()

    period_index = ExportPeriodIndex()

    @property
    def label(self) -> str:
        return (
            f"Journal {self.period_start} to {self.period_end} ({self.format.upper()})"
        )
