"""
The ISO 20022 `pain.001.001.09` credit transfer file of a payment run, pure.

Why not `sepaxml`'s writer: it only knows IBAN creditor accounts, always
marks the batch as SEPA and takes amounts in cents, while a run also pays US
vendors by account number and ABA routing number. The file is therefore
written here with the standard library, and `sepaxml` contributes what it is
good at: the official XSD, against which every file is checked
(`pain001_errors`) before anything is stored.
"""

import datetime as dt
import functools
import importlib.resources
from dataclasses import dataclass
from decimal import Decimal
from xml.etree import ElementTree as ET

from anyascii import anyascii

from core.addresses import PostalAddress
from core.money import round_money
from payments.rules import credit_remittance, remittance_text

SCHEMA = "pain.001.001.09"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"
NAME_MAX_LENGTH = 140
ID_MAX_LENGTH = 35


@dataclass(frozen=True)
class CreditTransfer:
    """One vendor payment: `CdtTrfTxInf`."""

    end_to_end_id: str
    amount: Decimal
    creditor_name: str
    invoice_numbers: tuple[str, ...]  # what the payment settles: RmtInf/Ustrd
    # The credit notes it nets (number, amount applied), listed after them.
    credits: tuple[tuple[str, Decimal], ...] = ()
    iban: str | None = None
    bic: str | None = None
    account_number: str | None = None
    aba_routing_number: str | None = None
    # The creditor's structured address (`Cdtr/PstlAdr`); None: not written
    # (payments built before addresses were kept).
    creditor_address: PostalAddress | None = None


@dataclass(frozen=True)
class PaymentFile:
    """One file: one currency, one execution date, one debtor account."""

    message_id: str
    created_at: dt.datetime
    initiating_party: str
    payment_info_id: str
    execution_date: dt.date
    currency: str
    debtor_name: str
    debtor_iban: str | None
    debtor_bic: str | None
    transfers: tuple[CreditTransfer, ...]
    # A debtor account without an IBAN (a US account): its number
    # (`DbtrAcct/Id/Othr/Id`) and ABA routing number (`DbtrAgt`'s ClrSysMmbId).
    debtor_account_number: str | None = None
    debtor_aba_routing_number: str | None = None
    # The debtor's structured address (`Dbtr/PstlAdr`); None: not written.
    debtor_address: PostalAddress | None = None

    @property
    def control_sum(self) -> Decimal:
        return sum((t.amount for t in self.transfers), Decimal(0))


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _path(parent: ET.Element, path: str, text: str) -> ET.Element:
    """Add nested elements named by a slash-separated path; the last gets `text`."""
    for tag in path.split("/"):
        parent = ET.SubElement(parent, tag)
    parent.text = text
    return parent


def _amount(value: Decimal, currency: str) -> str:
    return str(round_money(value, currency))


# What the EPC's SEPA rulebooks let a bank accept in names and remittance
# text: basic Latin letters and digits, space and / - ? : ( ) . , ' +
SEPA_CHARACTERS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 /-?:().,'+"
)


def sepa_text(value: str) -> str:
    """
    `value` in the SEPA character set: transliterated to Latin ("Müller" →
    "Muller", "Straße" → "Strasse", "ООО Ромашка" → "OOO Romashka"), "&" as
    "+" as the EPC's guidance spells it, any other character a space.
    """
    latin = anyascii(value.replace("&", "+"))
    return "".join(c if c in SEPA_CHARACTERS else " " for c in latin)


def _spelled(value: str, *, sepa: bool) -> str:
    """`value` on one line, single-spaced; in the SEPA character set for SEPA."""
    return " ".join((sepa_text(value) if sepa else value).split())


def _name(value: str, *, sepa: bool) -> str:
    return _spelled(value, sepa=sepa)[:NAME_MAX_LENGTH]


# PostalAddress24's parts in the XSD's order, with the lengths it allows.
ADDRESS_ELEMENTS = (
    ("street", "StrtNm", 70),
    ("building_number", "BldgNb", 16),
    ("postcode", "PstCd", 16),
    ("town", "TwnNm", 35),
)
ADDRESS_LINE_MAX_LENGTH = 70


def _postal_address(
    parent: ET.Element, address: PostalAddress | None, *, sepa: bool
) -> None:
    """
    Add `PstlAdr` with the structured parts present, in the XSD's order; an
    address line 2 goes into one `AdrLine` beside them (a hybrid address),
    never alone: without a town and country nothing is written.
    """
    if address is None or not address.has_town_and_country:
        return
    node = _add(parent, "PstlAdr")
    for field, tag, length in ADDRESS_ELEMENTS:
        if value := getattr(address, field):
            if spelled := _spelled(value, sepa=sepa)[:length].strip():
                _add(node, tag, spelled)
    _add(node, "Ctry", address.country)
    if address.address_line2:
        if line := _spelled(address.address_line2, sepa=sepa)[
            :ADDRESS_LINE_MAX_LENGTH
        ].strip():
            _add(node, "AdrLine", line)


def _remittance(transfer: CreditTransfer, currency: str, *, sepa: bool) -> str:
    """
    The invoice numbers and the credit notes applied, each spelled for a
    SEPA file first, then fitted.
    """
    numbers = list(transfer.invoice_numbers)
    credits = [
        credit_remittance(number, _amount(amount, currency))
        for number, amount in transfer.credits
    ]
    if sepa:
        numbers = [_spelled(n, sepa=True) for n in numbers]
        credits = [_spelled(c, sepa=True) for c in credits]
    return remittance_text(numbers, credits)


def _aba_member(agent: ET.Element, routing_number: str) -> None:
    """A US bank by its ABA routing number: `ClrSysMmbId` in `FinInstnId`."""
    member = _add(agent, "ClrSysMmbId")
    _path(member, "ClrSysId/Cd", "USABA")
    _add(member, "MmbId", routing_number)


def _transfer(
    parent: ET.Element, transfer: CreditTransfer, currency: str, *, sepa: bool
) -> None:
    node = _add(parent, "CdtTrfTxInf")
    _path(node, "PmtId/EndToEndId", transfer.end_to_end_id[:ID_MAX_LENGTH])
    amount = _add(_add(node, "Amt"), "InstdAmt", _amount(transfer.amount, currency))
    amount.set("Ccy", currency)
    if transfer.iban:
        if transfer.bic:
            _path(node, "CdtrAgt/FinInstnId/BICFI", transfer.bic)
    elif transfer.aba_routing_number:
        _aba_member(
            _add(_add(node, "CdtrAgt"), "FinInstnId"), transfer.aba_routing_number
        )
    creditor = _add(node, "Cdtr")
    _add(creditor, "Nm", _name(transfer.creditor_name, sepa=sepa))
    _postal_address(creditor, transfer.creditor_address, sepa=sepa)
    account_id = _add(_add(node, "CdtrAcct"), "Id")
    if transfer.iban:
        _add(account_id, "IBAN", transfer.iban)
    else:
        _path(account_id, "Othr/Id", transfer.account_number or "")
    _path(node, "RmtInf/Ustrd", _remittance(transfer, currency, sepa=sepa))


def pain001_xml(payment_file: PaymentFile) -> bytes:
    """Return the file as UTF-8 XML bytes."""
    currency = payment_file.currency
    count = str(len(payment_file.transfers))
    control_sum = _amount(payment_file.control_sum, currency)
    # A SEPA file: euros to IBANs, its texts in the SEPA character set.
    sepa = currency == "EUR" and all(t.iban for t in payment_file.transfers)
    document = ET.Element("Document", {"xmlns": NAMESPACE})
    initiation = _add(document, "CstmrCdtTrfInitn")
    header = _add(initiation, "GrpHdr")
    _add(header, "MsgId", payment_file.message_id[:ID_MAX_LENGTH])
    _add(header, "CreDtTm", payment_file.created_at.isoformat(timespec="seconds"))
    _add(header, "NbOfTxs", count)
    _add(header, "CtrlSum", control_sum)
    _path(header, "InitgPty/Nm", _name(payment_file.initiating_party, sepa=sepa))
    info = _add(initiation, "PmtInf")
    _add(info, "PmtInfId", payment_file.payment_info_id[:ID_MAX_LENGTH])
    _add(info, "PmtMtd", "TRF")
    _add(info, "NbOfTxs", count)
    _add(info, "CtrlSum", control_sum)
    if sepa:
        _path(info, "PmtTpInf/SvcLvl/Cd", "SEPA")
    _path(info, "ReqdExctnDt/Dt", payment_file.execution_date.isoformat())
    debtor = _add(info, "Dbtr")
    _add(debtor, "Nm", _name(payment_file.debtor_name, sepa=sepa))
    _postal_address(debtor, payment_file.debtor_address, sepa=sepa)
    account_id = _add(_add(info, "DbtrAcct"), "Id")
    if payment_file.debtor_iban:
        _add(account_id, "IBAN", payment_file.debtor_iban)
    else:
        _path(account_id, "Othr/Id", payment_file.debtor_account_number or "")
    agent = _add(_add(info, "DbtrAgt"), "FinInstnId")
    if payment_file.debtor_bic:
        _add(agent, "BICFI", payment_file.debtor_bic)
    if payment_file.debtor_aba_routing_number and not payment_file.debtor_iban:
        _aba_member(agent, payment_file.debtor_aba_routing_number)
    elif not payment_file.debtor_bic:
        _path(agent, "Othr/Id", "NOTPROVIDED")
    # Shared charges suit every currency; SEPA requires SLEV.
    _add(info, "ChrgBr", "SLEV" if sepa else "SHAR")
    for transfer in payment_file.transfers:
        _transfer(info, transfer, currency, sepa=sepa)
    ET.indent(document)
    return ET.tostring(document, encoding="utf-8", xml_declaration=True)


@functools.cache
def _schema():
    import xmlschema  # heavy; loaded once, on the first export

    path = importlib.resources.files("sepaxml") / "schemas" / f"{SCHEMA}.xsd"
    return xmlschema.XMLSchema(str(path))


def pain001_errors(xml: bytes) -> list[str]:
    """Return why the official XSD refuses `xml` (empty when it is valid)."""
    return [
        f"{error.path}: {error.reason}"
        for error in _schema().iter_errors(xml.decode("utf-8"))
    ]
