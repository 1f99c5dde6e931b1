"""The bank statements pages: a treasurer uploads the bank's answer and sees what it did."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.payments import bank_files as files
from tests.payments.bank_answer_helpers import BOOKED_ON


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rejection(run) -> bytes:
    return files.pain002(
        original_message_id=run.pain001.message_id,
        transactions=[(run.payment("bureau").id, "RJCT", "AC04", "Account closed")],
    )


def upload(client, content, name="status.xml"):
    return client.post(
        reverse("payments:bank-statements"),
        {"file": SimpleUploadedFile(name, content, content_type="application/xml")},
        follow=True,
    )


def test_a_treasurer_uploads_a_status_report_and_sees_the_return(
    exported_run, treasurer
):
    client = logged_in(treasurer)
    page = client.get(reverse("payments:bank-statements"))
    assert page.status_code == 200
    assert "Import the bank's answer" in page.content.decode()

    response = upload(client, rejection(exported_run))

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "pain.002 PSR-1 imported: 1 entry, 0 booked, 1 returned, 0 unmatched." in html
    )
    assert "Bureau Fournitures SA" in html
    assert "AC04 Account closed" in html
    assert exported_run.run.number in html
    assert "Every entry matched a payment." in html

    run_page = client.get(reverse("payments:detail", args=[exported_run.run.id]))
    run_html = run_page.content.decode()
    assert 'data-bank-status="rejected"' in run_html
    assert "AC04 Account closed" in run_html
    assert (
        "The bank booked 0 and returned 1 of its 3 transfers; 2 await its answer. "
        "Confirming marks those paid." in run_html
    )

    booking = files.camt054(
        entries=[
            {
                "end_to_end_id": exported_run.payment(name).id,
                "amount": exported_run.payment(name).amount,
                "currency": "EUR",
                "booking_date": BOOKED_ON,
            }
            for name in ("acme", "cabinet")
        ]
    )
    upload(client, booking, name="notification.xml")
    run_html = client.get(
        reverse("payments:detail", args=[exported_run.run.id])
    ).content.decode()
    assert (
        "Paid, except 1 transfer the bank returned: its invoices are matched "
        "again and its vendor is on payment hold." in run_html
    )

    vendor_page = client.get(
        reverse("vendors:detail", args=[exported_run.vendors["bureau"].id])
    )
    assert "Account closed" in vendor_page.content.decode()
    listing = client.get(reverse("payments:bank-statements")).content.decode()
    assert "status.xml" in listing


def test_the_same_file_again_says_it_changed_nothing(exported_run, treasurer):
    client = logged_in(treasurer)
    upload(client, rejection(exported_run))

    again = upload(client, rejection(exported_run), name="again.xml")

    assert "was already imported on" in again.content.decode()
    assert "nothing changed" in again.content.decode()


def test_unmatched_entries_are_listed_on_the_import_page(exported_run, treasurer):
    content = files.camt054(
        entries=[
            {
                "end_to_end_id": "UNKNOWN-E2E",
                "amount": "77.00",
                "booking_date": BOOKED_ON,
                "reference": "BANKREF-77",
            }
        ]
    )
    html = upload(logged_in(treasurer), content, "ntf.xml").content.decode()

    assert "Entries to resolve" in html
    assert "UNKNOWN-E2E" in html
    assert "BANKREF-77" in html
    assert "No payment of an exported run matches it." in html


def test_an_invalid_file_shows_the_reason_next_to_the_field(treasurer, media):
    response = logged_in(treasurer).post(
        reverse("payments:bank-statements"),
        {"file": SimpleUploadedFile("x.xml", b"<?xml version='1.0'?><Document/>")},
    )

    assert response.status_code == 422
    assert (
        "This is not a pain.002, camt.054 or camt.053 file: it has no namespace."
        in response.content.decode()
    )


def test_a_file_over_the_limit_is_refused_with_the_limit(treasurer, settings, media):
    settings.BANK_STATEMENT_MAX_BYTES = 100
    response = logged_in(treasurer).post(
        reverse("payments:bank-statements"),
        {"file": SimpleUploadedFile("big.xml", b"<x/>" * 100)},
    )

    assert response.status_code == 422
    assert "may have at most 100 bytes" in response.content.decode()


def test_an_auditor_reads_the_list_but_gets_no_upload_form(auditor, treasurer, media):
    page = logged_in(auditor).get(reverse("payments:bank-statements"))

    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' not in page.content.decode()
    refused = logged_in(auditor).post(
        reverse("payments:bank-statements"),
        {"file": SimpleUploadedFile("x.xml", b"<x/>")},
        follow=True,
    )
    assert "Only Treasurer users may import bank statements" in (
        refused.content.decode()
    )
