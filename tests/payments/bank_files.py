"""
Bank answers for tests: each builder returns the bytes of a message valid
against its official XSD (`tests/payments/test_bank_messages.py` checks it),
in the version banks send a pain.001.001.09 customer in 2026.

    pain002(*, original_message_id, transactions=(), group_status=None,
            group_reason=None, message_id="PSR-1", created_at=None) -> bytes

  A `pain.002.001.10` status report on the pain.001 `original_message_id`.
  `transactions`: one item per transfer, a tuple
  `(end_to_end_id, status, reason_code=None, reason_text=None)` such as
  `("e2e-1", "RJCT", "AC04", "Account closed")` or `("e2e-2", "ACSC")`, or
  a dict with those keys and optionally `amount` (Decimal), `currency`
  ("EUR" by default), `creditor_iban`. `group_status` ("RJCT", "ACCP",
  "PART"...) is the whole file's `GrpSts`, `group_reason` its
  `(code, text)`; `payment_status` and `payment_reason` the same for the
  file's payment information block (`PmtInfSts`), where the transactions
  are listed. `created_at` defaults to 2026-12-02 09:00 UTC.

    camt054(*, entries, message_id="NTF-1", created_at=None,
             account_iban=DEBTOR_IBAN) -> bytes
    camt053(*, entries, message_id="STM-1", created_at=None,
            account_iban=DEBTOR_IBAN) -> bytes

  A `camt.054.001.08` notification / `camt.053.001.08` statement of
  `account_iban`, one `Ntry` with one `TxDtls` per item of `entries`, each
  a dict: `end_to_end_id` (None: "NOTPROVIDED"), `amount` (Decimal),
  `currency` ("EUR"), `booking_date` (a date; 2026-12-02 by default),
  `creditor_iban` (None: no `CdtrAcct`), `returned` (False: a booked
  debit; True: the transfer credited back as a return, with `RtrInf`),
  `reason_code` and `reason_text` (the return's `Rsn/Cd` and `AddtlInf`),
  `status` ("BOOK"; "PDNG" or "INFO" for entries not booked), `reference`
  (the bank's `AcctSvcrRef`; "REF-<n>" by default), `batch_message_id` (a
  batch booking: the whole pain.001 of that MsgId debited as one entry of
  `amount`, `batch_size` transfers (2), with no transaction details).
"""

import datetime as dt
from decimal import Decimal
from xml.etree import ElementTree as ET

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:{}"
DEBTOR_IBAN = "DE89370400440532013000"
CREATED_AT = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
BOOKING_DATE = dt.date(2026, 12, 2)


def _add(parent: ET.Element, path: str, text=None, **attrs) -> ET.Element:
    """Add the elements of a slash-separated path; the last gets `text`."""
    steps = path.split("/")
    for step in steps[:-1]:
        parent = ET.SubElement(parent, step)
    element = ET.SubElement(parent, steps[-1], attrs)
    if text is not None:
        element.text = str(text)
    return element


def _document(schema: str, message: str) -> tuple[ET.Element, ET.Element]:
    document = ET.Element("Document", {"xmlns": NAMESPACE.format(schema)})
    return document, ET.SubElement(document, message)


def _bytes(document: ET.Element) -> bytes:
    ET.indent(document)
    return ET.tostring(document, encoding="utf-8", xml_declaration=True)


def _header(parent, message_id: str, created_at: dt.datetime | None):
    header = _add(parent, "GrpHdr")
    _add(header, "MsgId", message_id)
    _add(header, "CreDtTm", (created_at or CREATED_AT).isoformat(timespec="seconds"))
    return header


def _reason(parent, code: str | None, text: str | None) -> None:
    info = _add(parent, "StsRsnInf")
    if code:
        _add(info, "Rsn/Cd", code)
    if text:
        _add(info, "AddtlInf", text[:105])


def _transaction(item) -> dict:
    if isinstance(item, dict):
        return item
    fields = ("end_to_end_id", "status", "reason_code", "reason_text")
    return dict(zip(fields, item, strict=False))


def pain002(
    *,
    original_message_id: str,
    transactions=(),
    group_status: str | None = None,
    group_reason: tuple[str | None, str | None] | None = None,
    message_id: str = "PSR-1",
    created_at: dt.datetime | None = None,
    payment_status: str | None = None,
    payment_reason: tuple[str | None, str | None] | None = None,
) -> bytes:
    """A pain.002.001.10 answering the pain.001 `original_message_id`."""
    document, report = _document("pain.002.001.10", "CstmrPmtStsRpt")
    _header(report, message_id, created_at)
    group = _add(report, "OrgnlGrpInfAndSts")
    _add(group, "OrgnlMsgId", original_message_id)
    _add(group, "OrgnlMsgNmId", "pain.001.001.09")
    if group_status:
        _add(group, "GrpSts", group_status)
    if group_reason:
        _reason(group, *group_reason)
    if transactions or payment_status or payment_reason:
        block = _add(report, "OrgnlPmtInfAndSts")
        _add(block, "OrgnlPmtInfId", f"{original_message_id[:30]}-PMT")
        if payment_status:
            _add(block, "PmtInfSts", payment_status)
        if payment_reason:
            _reason(block, *payment_reason)
        for number, item in enumerate(transactions, start=1):
            fields = _transaction(item)
            node = _add(block, "TxInfAndSts")
            _add(node, "StsId", f"{message_id}-{number}")
            _add(node, "OrgnlEndToEndId", fields["end_to_end_id"] or "NOTPROVIDED")
            _add(node, "TxSts", fields["status"])
            if fields.get("reason_code") or fields.get("reason_text"):
                _reason(node, fields.get("reason_code"), fields.get("reason_text"))
            if fields.get("amount") is not None or fields.get("creditor_iban"):
                reference = _add(node, "OrgnlTxRef")
                if fields.get("amount") is not None:
                    _add(
                        reference,
                        "Amt/InstdAmt",
                        fields["amount"],
                        Ccy=fields.get("currency", "EUR"),
                    )
                if fields.get("creditor_iban"):
                    _add(reference, "CdtrAcct/Id/IBAN", fields["creditor_iban"])
    return _bytes(document)


def _entry(parent: ET.Element, number: int, fields: dict) -> None:
    returned = fields.get("returned", False)
    currency = fields.get("currency", "EUR")
    value = Decimal(fields["amount"])
    booking_date = fields.get("booking_date") or BOOKING_DATE
    reference = fields.get("reference") or f"REF-{number}"
    entry = _add(parent, "Ntry")
    _add(entry, "NtryRef", f"NTRY-{number}")
    _add(entry, "Amt", value, Ccy=currency)
    _add(entry, "CdtDbtInd", "CRDT" if returned else "DBIT")
    _add(entry, "Sts/Cd", fields.get("status", "BOOK"))
    _add(entry, "BookgDt/Dt", booking_date.isoformat())
    _add(entry, "ValDt/Dt", booking_date.isoformat())
    _add(entry, "AcctSvcrRef", reference)
    domain = _add(entry, "BkTxCd/Domn")
    _add(domain, "Cd", "PMNT")
    family = _add(domain, "Fmly")
    _add(family, "Cd", "RCDT" if returned else "ICDT")
    _add(family, "SubFmlyCd", "RRTN" if returned else "ESCT")
    if fields.get("batch_message_id"):
        batch = _add(entry, "NtryDtls/Btch")
        _add(batch, "MsgId", fields["batch_message_id"])
        _add(batch, "NbOfTxs", fields.get("batch_size", 2))
        return
    transaction = _add(entry, "NtryDtls/TxDtls")
    refs = _add(transaction, "Refs")
    _add(refs, "AcctSvcrRef", reference)
    _add(refs, "EndToEndId", fields.get("end_to_end_id") or "NOTPROVIDED")
    _add(transaction, "Amt", value, Ccy=currency)
    _add(transaction, "CdtDbtInd", "CRDT" if returned else "DBIT")
    if fields.get("creditor_iban"):
        parties = _add(transaction, "RltdPties")
        _add(parties, "Cdtr/Pty/Nm", "Creditor")
        _add(parties, "CdtrAcct/Id/IBAN", fields["creditor_iban"])
    if returned:
        info = _add(transaction, "RtrInf")
        if fields.get("reason_code"):
            _add(info, "Rsn/Cd", fields["reason_code"])
        if fields.get("reason_text"):
            _add(info, "AddtlInf", fields["reason_text"][:105])


def _balances(report: ET.Element, entries) -> None:
    """A statement's opening and closing balances (camt.053 requires one)."""
    day = max(
        (e.get("booking_date") or BOOKING_DATE for e in entries), default=BOOKING_DATE
    )
    currency = next((e.get("currency", "EUR") for e in entries), "EUR")
    for kind in ("OPBD", "CLBD"):
        balance = _add(report, "Bal")
        _add(balance, "Tp/CdOrPrtry/Cd", kind)
        _add(balance, "Amt", "100000.00", Ccy=currency)
        _add(balance, "CdtDbtInd", "CRDT")
        _add(balance, "Dt/Dt", day.isoformat())


def _report(schema, message_tag, report_tag, *, entries, message_id, created_at, iban):
    """An account report (`Ntfctn`, `Stmt`) of one `Ntry` per item of `entries`."""
    document, message = _document(schema, message_tag)
    _header(message, message_id, created_at)
    report = _add(message, report_tag)
    _add(report, "Id", f"{message_id}-1")
    account = _add(report, "Acct")
    _add(account, "Id/IBAN", iban)
    currencies = {entry.get("currency", "EUR") for entry in entries}
    if len(currencies) == 1:
        _add(account, "Ccy", currencies.pop())
    if report_tag == "Stmt":
        _balances(report, entries)
    for number, fields in enumerate(entries, start=1):
        _entry(report, number, fields)
    return _bytes(document)


def camt054(
    *,
    entries,
    message_id: str = "NTF-1",
    created_at: dt.datetime | None = None,
    account_iban: str = DEBTOR_IBAN,
) -> bytes:
    """A camt.054.001.08 notifying one entry per item of `entries`."""
    return _report(
        "camt.054.001.08",
        "BkToCstmrDbtCdtNtfctn",
        "Ntfctn",
        entries=entries,
        message_id=message_id,
        created_at=created_at,
        iban=account_iban,
    )


def camt053(
    *,
    entries,
    message_id: str = "STM-1",
    created_at: dt.datetime | None = None,
    account_iban: str = DEBTOR_IBAN,
) -> bytes:
    """A camt.053.001.08 statement of one entry per item of `entries`."""
    return _report(
        "camt.053.001.08",
        "BkToCstmrStmt",
        "Stmt",
        entries=entries,
        message_id=message_id,
        created_at=created_at,
        iban=account_iban,
    )
