"""The bank's answer as real files: a pain.002 and a camt.054 read, matched and applied."""

from decimal import Decimal

from invoicing.selectors import invoice_get
from payments.bank_answers import bank_statement_import
from payments.selectors import bank_statement_get
from tests.conftest import TODAY
from tests.payments import bank_files as files
from tests.payments.bank_answer_helpers import BOOKED_ON
from vendors.selectors import vendor_get


def camt_entry(run, name, **fields):
    payment = run.payment(name)
    return {
        "end_to_end_id": payment.id,
        "amount": payment.amount,
        "currency": payment.currency,
        "booking_date": BOOKED_ON,
        "creditor_iban": payment.iban,
        **fields,
    }


def test_a_pain002_rejecting_one_and_a_camt054_booking_the_others(
    exported_run, treasurer
):
    run = exported_run
    bureau = run.payment("bureau")
    status = files.pain002(
        original_message_id=run.pain001.message_id,
        group_status="PART",
        transactions=[
            (bureau.id, "RJCT", "AC04", "Account closed"),
            (run.payment("acme").id, "ACCP"),
            (run.payment("cabinet").id, "ACCP"),
        ],
    )
    notification = files.camt054(
        entries=[camt_entry(run, "acme"), camt_entry(run, "cabinet")]
    )

    first = bank_statement_import(content=status, filename="psr.xml", user=treasurer)
    second = bank_statement_import(
        content=notification, filename="ntf.xml", user=treasurer
    )

    assert (first.message_type, first.returned, first.unmatched) == ("pain.002", 1, 0)
    assert (second.message_type, second.confirmed, second.unmatched) == (
        "camt.054",
        2,
        0,
    )
    every = [
        invoice_get(invoice_id=i.id)
        for name in ("acme", "bureau", "cabinet")
        for i in run.invoices[name]
    ]
    assert sorted(i.status for i in every) == ["matched", "paid", "paid", "paid"]
    assert {i.paid_on for i in every if i.status == "paid"} == {BOOKED_ON.isoformat()}
    [matched] = [i for i in every if i.status == "matched"]
    assert matched.vendor_id == run.vendors["bureau"].id
    vendor = vendor_get(vendor_id=run.vendors["bureau"].id)
    assert vendor.on_payment_hold(TODAY)
    assert vendor.payment_hold_reason.endswith(
        f"payment {bureau.id} of run {run.run.number}: AC04 Account closed"
    )
    assert run.fresh().status == "confirmed"

    for content in (status, notification):
        again = bank_statement_import(content=content, filename="x", user=treasurer)
        assert again.already_imported
        assert (again.entries, again.confirmed, again.returned, again.unmatched) == (
            0,
            0,
            0,
            0,
        )
    assert sorted(invoice_get(invoice_id=i.id).status for i in every) == [
        "matched",
        "paid",
        "paid",
        "paid",
    ]


def test_a_pain002_rejecting_the_whole_file_returns_every_invoice(
    exported_run, treasurer
):
    run = exported_run
    content = files.pain002(
        original_message_id=run.pain001.message_id,
        group_status="RJCT",
        group_reason=("FF01", "Invalid file format"),
    )

    result = bank_statement_import(content=content, filename="f.xml", user=treasurer)

    assert (result.entries, result.returned) == (1, 3)
    assert run.statuses("acme") == ["matched", "matched"]
    assert run.payment("cabinet").bank_reason == "Invalid file format"


def test_a_camt054_batch_booking_books_every_transfer_of_its_file(
    exported_run, treasurer
):
    run = exported_run
    total = sum((p.amount for p in run.fresh().transfers()), Decimal(0))
    content = batch_booking(run.pain001.message_id, total)

    result = bank_statement_import(content=content, filename="b.xml", user=treasurer)

    assert (result.entries, result.confirmed, result.unmatched) == (1, 3, 0)
    assert run.fresh().status == "confirmed"


def batch_booking(message_id, total) -> bytes:
    """A camt.054 booking a whole pain.001 as one entry (Btch/MsgId, its total)."""
    content = files.camt054(
        entries=[{"end_to_end_id": None, "amount": total, "booking_date": BOOKED_ON}]
    ).decode()
    batch = (
        f"<NtryDtls><Btch><MsgId>{message_id}</MsgId><NbOfTxs>3</NbOfTxs>"
        "</Btch></NtryDtls>"
    )
    start = content.index("<NtryDtls>")
    end = content.index("</NtryDtls>") + len("</NtryDtls>")
    return (content[:start] + batch + content[end:]).encode()


def test_a_camt053_lists_what_matches_no_payment(exported_run, treasurer):
    run = exported_run
    content = files.camt053(
        entries=[
            camt_entry(run, "acme"),
            {
                "end_to_end_id": None,
                "amount": Decimal("12.34"),
                "creditor_iban": "DE02120300000000202051",
                "booking_date": BOOKED_ON,
                "reference": "STRANGER",
            },
        ]
    )

    result = bank_statement_import(content=content, filename="s.xml", user=treasurer)

    assert (result.message_type, result.confirmed, result.unmatched) == (
        "camt.053",
        1,
        1,
    )
    [listed] = bank_statement_get(statement_id=result.id).unmatched_entries
    assert (listed.amount, listed.reference) == (Decimal("12.34"), "STRANGER")
