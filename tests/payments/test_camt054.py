import datetime as dt
from decimal import Decimal
from pathlib import Path

from payments.bank_messages import (
    BankEntry,
    MessageType,
    Outcome,
    read_bank_message,
)
from tests.payments.bank_files import camt054

SAMPLES = Path(__file__).parent / "samples"
IBAN = "FR7630006000011234567890189"


def test_a_booked_debit_books_its_payment_on_the_booking_date():
    message = read_bank_message(
        camt054(
            entries=[
                dict(
                    end_to_end_id="e2e-1",
                    amount=Decimal("250.00"),
                    booking_date=dt.date(2026, 12, 3),
                    creditor_iban=IBAN,
                    reference="BANK-REF-1",
                )
            ],
            message_id="NTF-9",
        )
    )
    assert (message.message_type, message.message_id) == (MessageType.CAMT054, "NTF-9")
    assert message.entries == (
        BankEntry(
            outcome=Outcome.BOOKED,
            end_to_end_id="e2e-1",
            amount=Decimal("250.00"),
            currency="EUR",
            creditor_iban=IBAN,
            booking_date=dt.date(2026, 12, 3),
            reference="BANK-REF-1",
        ),
    )


def test_a_returned_transfer_is_rejected_with_the_return_reason():
    message = read_bank_message(
        camt054(
            entries=[
                dict(
                    end_to_end_id="e2e-7",
                    amount=Decimal("149.90"),
                    returned=True,
                    reason_code="AC01",
                    reason_text="IBAN inconnu du beneficiaire",
                    creditor_iban=IBAN,
                )
            ]
        )
    )
    (entry,) = message.entries
    assert (entry.outcome, entry.end_to_end_id) == (Outcome.REJECTED, "e2e-7")
    assert (entry.reason_code, entry.reason_text) == (
        "AC01",
        "IBAN inconnu du beneficiaire",
    )
    assert (entry.amount, entry.creditor_iban) == (Decimal("149.90"), IBAN)


def test_a_return_without_the_banks_text_gets_the_codes_name():
    message = read_bank_message(
        camt054(
            entries=[
                dict(
                    end_to_end_id="e2e-2",
                    amount=Decimal("5"),
                    returned=True,
                    reason_code="MD07",
                )
            ]
        )
    )
    assert message.entries[0].reason_text == "Account holder deceased"


def test_pending_and_information_entries_say_nothing_yet():
    message = read_bank_message(
        camt054(
            entries=[
                dict(end_to_end_id="e2e-1", amount=Decimal("1"), status="PDNG"),
                dict(end_to_end_id="e2e-2", amount=Decimal("2"), status="INFO"),
                dict(end_to_end_id="e2e-3", amount=Decimal("3")),
            ]
        )
    )
    assert [e.end_to_end_id for e in message.entries] == ["e2e-3"]


def test_notprovided_leaves_the_fallback_match_fields():
    message = read_bank_message(
        camt054(
            entries=[
                dict(
                    end_to_end_id=None,
                    amount=Decimal("310.00"),
                    currency="USD",
                    creditor_iban=IBAN,
                )
            ]
        )
    )
    (entry,) = message.entries
    assert entry.end_to_end_id is None
    assert entry.original_message_id is None  # not "every transfer of a file"
    assert (entry.amount, entry.currency, entry.creditor_iban) == (
        Decimal("310.00"),
        "USD",
        IBAN,
    )


def camt054_02(entry: str) -> bytes:
    """A camt.054.001.02 notification of one `Ntry` (written as banks do)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>N-1</MsgId><CreDtTm>2026-12-02T06:00:00Z</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>N-1-1</Id>
      <CreDtTm>2026-12-02T06:00:00Z</CreDtTm>
      <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>
      {entry}
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
""".encode()


def test_a_batch_booking_without_details_speaks_for_its_file():
    message = read_bank_message(
        camt054_02(
            """<Ntry>
        <NtryRef>77</NtryRef>
        <Amt Ccy="EUR">4000.00</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><DtTm>2026-12-02T10:15:00+01:00</DtTm></BookgDt>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><Btch><MsgId>FILE-7</MsgId><NbOfTxs>12</NbOfTxs></Btch></NtryDtls>
      </Ntry>"""
        )
    )
    assert message.entries == (
        BankEntry(
            outcome=Outcome.BOOKED,
            original_message_id="FILE-7",
            amount=Decimal("4000.00"),
            currency="EUR",
            booking_date=dt.date(2026, 12, 2),
            reference="77",
        ),
    )


def test_the_amount_comes_from_the_transactions_amount_details_or_its_entry():
    message = read_bank_message(
        camt054_02(
            """<Ntry>
        <Amt Ccy="EUR">150.00</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2026-12-02</Dt></BookgDt>
        <AcctSvcrRef>E-1</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs><EndToEndId>e2e-a</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">100.00</Amt></TxAmt></AmtDtls>
          </TxDtls>
          <TxDtls>
            <Refs><EndToEndId>e2e-b</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">50.00</Amt></TxAmt></AmtDtls>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">20.00</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2026-12-02</Dt></BookgDt>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls><Refs><EndToEndId>e2e-c</EndToEndId></Refs></TxDtls></NtryDtls>
      </Ntry>"""
        )
    )
    assert [(e.end_to_end_id, e.amount, e.reference) for e in message.entries] == [
        ("e2e-a", Decimal("100.00"), "E-1"),
        ("e2e-b", Decimal("50.00"), "E-1"),
        ("e2e-c", Decimal("20.00"), None),
    ]


def test_the_banks_charges_and_a_customers_payment_are_no_answer():
    charges = """<Ntry>
        <Amt Ccy="EUR">12.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>CHRG</SubFmlyCd></Fmly></Domn></BkTxCd>
      </Ntry>"""
    incoming = """<Ntry>
        <Amt Ccy="EUR">500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls><Refs><EndToEndId>their-invoice</EndToEndId></Refs></TxDtls></NtryDtls>
      </Ntry>"""
    assert read_bank_message(camt054_02(charges + incoming)).entries == ()


def test_a_return_told_by_its_transaction_code_or_a_reversal_is_rejected():
    def credit(code: str, reversal: str = "") -> str:
        return f"""<Ntry>
        <Amt Ccy="EUR">80.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>{reversal}<Sts>BOOK</Sts>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>{code}</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls><Refs><EndToEndId>e2e-{code}</EndToEndId></Refs></TxDtls></NtryDtls>
      </Ntry>"""

    message = read_bank_message(
        camt054_02(credit("RRTN") + credit("ESCT", "<RvslInd>true</RvslInd>"))
    )
    assert [(e.end_to_end_id, e.outcome) for e in message.entries] == [
        ("e2e-RRTN", Outcome.REJECTED),
        ("e2e-ESCT", Outcome.REJECTED),
    ]
    assert all(e.reason_code is None for e in message.entries)


# --- A real sample -----------------------------------------------------------


def test_the_finnish_banks_sample_notification():
    """
    The Federation of Finnish Financial Services' camt.054.001.02 sample:
    credits received (no answer), a batch of domestic transfers debited
    without EndToEndIds, two international transfers debited with theirs,
    and two direct debit errors for information only (skipped).
    """
    message = read_bank_message((SAMPLES / "fffs-camt.054.001.02.xml").read_bytes())
    assert message.message_id == "BANKFILEID219073"
    assert message.created_at == dt.datetime(
        2009, 10, 30, 21, 1, 45, tzinfo=dt.timezone(dt.timedelta(hours=2))
    )
    assert [
        (e.outcome, e.end_to_end_id, e.amount, e.booking_date, e.reference)
        for e in message.entries
    ] == [
        (
            Outcome.BOOKED,
            None,
            Decimal("2000.02"),
            dt.date(2009, 10, 29),
            "091029ARCH03001",
        ),
        (
            Outcome.BOOKED,
            None,
            Decimal("1000.01"),
            dt.date(2009, 10, 29),
            "091029ARCH03002",
        ),
        (
            Outcome.BOOKED,
            None,
            Decimal("1230.02"),
            dt.date(2009, 10, 29),
            "091029ARCH03003",
        ),
        (
            Outcome.BOOKED,
            "ISSRBKREF12345678",
            Decimal("500.00"),
            dt.date(2009, 10, 30),
            "091029NTFCTNXBCT010101",
        ),
        (
            Outcome.BOOKED,
            "ISSRBKREF12345679",
            Decimal("500.00"),
            dt.date(2009, 10, 30),
            "091029NTFCTNXBCT010101",
        ),
    ]
    assert {e.currency for e in message.entries} == {"EUR"}


def test_postfinances_sample_notification_of_customer_payments_is_no_answer():
    """
    PostFinance's camt.054.001.08 sample (Swiss Payment Standards 2019): one
    batch of two QR-bill payments credited to the account. Valid against the
    official XSD; customers paying us answer none of our transfers.
    """
    message = read_bank_message(
        (SAMPLES / "postfinance-camt.054.001.08.xml").read_bytes()
    )
    assert (message.message_type, message.message_id) == (
        MessageType.CAMT054,
        "20200618375204295372463",
    )
    assert message.created_at == dt.datetime(2020, 6, 18, 23, 41, 7)
    assert message.entries == ()


def test_a_returns_creditor_is_the_party_that_is_not_our_account():
    """Banks name the returning creditor as debtor (return roles) or creditor."""

    def returned(parties: str) -> str:
        return f"""<Ntry>
        <Amt Ccy="EUR">60.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>RRTN</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls><RltdPties>{parties}</RltdPties><RtrInf><Rsn><Cd>AC04</Cd></Rsn></RtrInf></TxDtls></NtryDtls>
      </Ntry>"""

    ours = "<Id><IBAN>DE89370400440532013000</IBAN></Id>"
    theirs = f"<Id><IBAN>{IBAN}</IBAN></Id>"
    message = read_bank_message(
        camt054_02(
            returned(f"<DbtrAcct>{theirs}</DbtrAcct><CdtrAcct>{ours}</CdtrAcct>")
            + returned(f"<DbtrAcct>{ours}</DbtrAcct><CdtrAcct>{theirs}</CdtrAcct>")
            + returned(f"<CdtrAcct>{ours}</CdtrAcct>")
        )
    )
    assert [e.creditor_iban for e in message.entries] == [IBAN, IBAN, None]


def test_a_transaction_says_its_own_direction_in_a_mixed_batch():
    def transaction(e2e: str, direction: str, amount: str) -> str:
        return f"""<TxDtls>
            <Refs><EndToEndId>{e2e}</EndToEndId></Refs>
            <Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd>
            <RtrInf><Rsn><Cd>AC04</Cd></Rsn></RtrInf>
          </TxDtls>"""

    content = camt054(
        entries=[dict(end_to_end_id="x", amount=Decimal("70.00"))]
    ).replace(
        b"<NtryDtls>",
        b"<NtryDtls>"
        + (
            transaction("e2e-out", "DBIT", "100.00")
            + transaction("e2e-back", "CRDT", "30.00")
        ).encode(),
    )
    message = read_bank_message(content)
    assert [(e.end_to_end_id, e.outcome) for e in message.entries] == [
        ("e2e-out", Outcome.BOOKED),
        ("e2e-back", Outcome.REJECTED),
        ("x", Outcome.BOOKED),
    ]
