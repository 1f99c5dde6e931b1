"""
The ISO 20022 payment status report (`pain.002.001.10`, `.03`), pure.

The bank's first answer to a pain.001: which transfers it accepted and
which it rejected, and why. `read_bank_message` has checked the file against
its XSD before `parse` sees it.

- `OrgnlGrpInfAndSts/GrpSts` RJCT rejects the whole file: one entry with no
  EndToEndId and the file's `OrgnlMsgId`.
- `OrgnlPmtInfAndSts/PmtInfSts` RJCT rejects a payment information block
  likewise (its `OrgnlPmtInfId` as the entry's reference), unless the whole
  file is rejected already.
- Each `TxInfAndSts` is one transfer's answer: RJCT → rejected, an
  accepted status → accepted (not yet booked: the camt says so), PDNG or
  RCVD → nothing yet, so no entry. These come first, before the entries of
  a file or block answered as a whole.
- A group or block accepted as a whole, with no transfer listed below it,
  is one accepted entry for the file.
"""

from payments.bank_messages import (
    BankEntry,
    BankMessage,
    MessageType,
    Outcome,
    amount,
    end_to_end_id,
    find,
    find_all,
    iso_datetime,
    text,
)

REJECTED = "RJCT"
# ISO 20022 ExternalPaymentTransactionStatus1Code: accepted at some stage.
ACCEPTED = frozenset({"ACCP", "ACSP", "ACSC", "ACWC", "ACTC", "ACCC", "ACWP", "ACFC"})
# PDNG (pending) and RCVD (received) say nothing yet; PART is a group's mix,
# told transfer by transfer below it.

# The ISO external status reason codes banks send most, in short English,
# for when the bank gives no text of its own (AddtlInf).
REASONS = {
    "AC01": "Incorrect account number",
    "AC04": "Account closed",
    "AC03": "Invalid creditor account number",
    "AC06": "Account blocked",
    "AG01": "Transaction forbidden on this account",
    "AM04": "Insufficient funds",
    "AM05": "Duplicate payment",
    "BE04": "Creditor address missing or incorrect",
    "MD07": "Account holder deceased",
    "MS02": "Refused by the creditor",
    "MS03": "Reason not specified by the bank",
    "RC01": "Incorrect bank identifier (BIC)",
    "RR01": "Debtor account or identification missing (regulatory)",
    "RR02": "Debtor name or address missing (regulatory)",
    "RR03": "Creditor name or address missing (regulatory)",
    "RR04": "Regulatory reason",
    "FF01": "Invalid file format",
    "DU01": "Duplicate message ID",
    "DUPL": "Duplicate payment",
    "CUST": "Requested by the customer",
    "NARR": "Reason given in the bank's text",
    # US ACH (Nacha) return codes, which US banks report as proprietary.
    "R01": "Insufficient funds",
    "R02": "Account closed",
    "R03": "No account or unable to locate account",
    "R04": "Invalid account number",
}


def reason(element) -> tuple[str | None, str | None]:
    """
    The (code, text) of `element`'s status or return reasons: the first
    code (`Rsn/Cd`, else the bank's `Rsn/Prtry`), and the bank's AddtlInf
    lines joined, else the code's short English name.
    """
    infos = find_all(element, "StsRsnInf") or [element]
    codes = [text(info, "Rsn/Cd") or text(info, "Rsn/Prtry") for info in infos]
    code = next((c for c in codes if c), None)
    lines = [
        (line.text or "").strip()
        for info in infos
        for line in find_all(info, "AddtlInf")
        if (line.text or "").strip()
    ]
    return code, " ".join(lines) or REASONS.get(code or "")


def _outcome(status: str | None) -> Outcome | None:
    if status == REJECTED:
        return Outcome.REJECTED
    if status in ACCEPTED:
        return Outcome.ACCEPTED
    return None


def _whole(element, status: str | None, message_id, reference=None):
    """The entry of a file or block answered as a whole, or None."""
    outcome = _outcome(status)
    if outcome is None:
        return None
    code, reason_text = reason(element)
    return BankEntry(
        outcome=outcome,
        original_message_id=message_id,
        reason_code=code if outcome is Outcome.REJECTED else None,
        reason_text=reason_text if outcome is Outcome.REJECTED else None,
        reference=reference,
    )


def _transfer(element, message_id: str | None) -> BankEntry | None:
    outcome = _outcome(text(element, "TxSts"))
    if outcome is None:
        return None
    code, reason_text = reason(element)
    value, currency = amount(element, "OrgnlTxRef/Amt/InstdAmt")
    if value is None:
        value, currency = amount(element, "OrgnlTxRef/Amt/EqvtAmt/Amt")
    return BankEntry(
        outcome=outcome,
        end_to_end_id=end_to_end_id(text(element, "OrgnlEndToEndId")),
        original_message_id=message_id,
        amount=value,
        currency=currency,
        creditor_iban=text(element, "OrgnlTxRef/CdtrAcct/Id/IBAN"),
        reason_code=code,
        reason_text=reason_text,
        reference=text(element, "AcctSvcrRef") or text(element, "StsId"),
    )


def parse(root) -> BankMessage:
    """Read a pain.002 `Document` element into a `BankMessage`."""
    report = find(root, "CstmrPmtStsRpt")
    group = find(report, "OrgnlGrpInfAndSts")
    message_id = text(group, "OrgnlMsgId")
    blocks = find_all(report, "OrgnlPmtInfAndSts")
    transfers = [t for block in blocks for t in find_all(block, "TxInfAndSts")]
    # Each transfer's own answer first: it carries its own reason, which a
    # file's or block's status answered as a whole may not.
    entries = [_transfer(transfer, message_id) for transfer in transfers]
    group_status = text(group, "GrpSts")
    whole_file = group_status == REJECTED or (not blocks and not transfers)
    if whole_file:
        entries.append(_whole(group, group_status, message_id))
    for block in [] if whole_file else blocks:
        status = text(block, "PmtInfSts")
        listed = find_all(block, "TxInfAndSts")
        if status == REJECTED or not listed:
            entries.append(
                _whole(block, status, message_id, text(block, "OrgnlPmtInfId"))
            )
    return BankMessage(
        message_type=MessageType.PAIN002,
        message_id=text(report, "GrpHdr/MsgId"),
        created_at=iso_datetime(text(report, "GrpHdr/CreDtTm")),
        entries=tuple(entry for entry in entries if entry is not None),
    )
