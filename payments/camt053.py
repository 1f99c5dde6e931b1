"""
The ISO 20022 bank-to-customer statement (`camt.053.001.08`, `.02`), pure.

A day's statement of the account: its booked entries read exactly as a
camt.054's (`camt054.entries`), so a transfer booked in either file gives
the same answer.
"""

from payments.bank_messages import (
    BankMessage,
    MessageType,
    find,
    find_all,
    iso_datetime,
    text,
)
from payments.camt054 import entries


def parse(root) -> BankMessage:
    """Read a camt.053 `Document` element into a `BankMessage`."""
    message = find(root, "BkToCstmrStmt")
    return BankMessage(
        message_type=MessageType.CAMT053,
        message_id=text(message, "GrpHdr/MsgId"),
        created_at=iso_datetime(text(message, "GrpHdr/CreDtTm")),
        entries=entries(find_all(message, "Stmt")),
    )
