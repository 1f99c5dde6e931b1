"""
The ISO 20022 bank-to-customer statement (`camt.053.001.08`, `.02`), pure.

A day's statement of the account: its booked entries read exactly as a
camt.054's (`camt054.read_report`), so a transfer booked in either file gives
the same answer.
"""

from payments.bank_messages import BankMessage, MessageType
from payments.camt054 import read_report


def parse(root) -> BankMessage:
    """Read a camt.053 `Document` element into a `BankMessage`."""
    return read_report(
        root, message_type=MessageType.CAMT053, tag="BkToCstmrStmt", report="Stmt"
    )
