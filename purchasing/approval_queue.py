"""
The keys that put a pending PO in "Awaiting my approval" (issue 21, item 3).

The queue is `approval_queue_index`: one partition (`approval_queue` =
"pending", set only while a PO is pending) sorted by `approval_value`, the
PO's worth in the base currency. An approver with limit L reads the key
condition `approval_value <= L`: only POs their limit covers, one page per
request however many POs await others. Their own POs and the ones they
already approved are a filter on that range; a request reads at most
`dynamo.FILTERED_READ_LIMIT` items whatever the filter drops (then the page
is short and its cursor reads on), and in practice drops only the approver's
own pending POs and those awaiting a second approver after them.

Choices where the issue is silent:
- The queue is in order of worth, smallest first (a key condition on the
  worth cannot also sort by age); equal worths in no particular order.
- The worth is written in the PO's own transaction at today's rate when the
  PO is raised, edited and approved (a first of two approvals re-keys it),
  and removed when it leaves `pending`. A later rate change does not re-key
  at once: the queue converts each PO it shows at today's rate and drops one
  now above the limit, and the approval itself re-checks the limit, which
  stays the authority. `manage.py index_pending_purchase_orders` re-keys
  every pending PO at today's rates (after rates are entered, and for POs
  raised before the index or without a rate then); a PO without a rate has
  no worth and is in nobody's queue, as nobody may approve it.
"""

from typing import Any

from exchange_rates.rules import Conversion
from purchasing.models import APPROVAL_QUEUE, POStatus


def approval_queue_keys(*, status: str, value: Conversion | None) -> dict[str, Any]:
    """The index keys of a PO in `status` worth `value` (None: out of the queue)."""
    if status != POStatus.PENDING or value is None:
        return {"approval_queue": None, "approval_value": None}
    return {"approval_queue": APPROVAL_QUEUE, "approval_value": value.base_amount}


def keys_out_of_date(po, keys: dict[str, Any]) -> bool:
    """True when the PO's stored keys are not `keys`."""
    return (po.approval_queue, po.approval_value) != (
        keys["approval_queue"],
        keys["approval_value"],
    )
