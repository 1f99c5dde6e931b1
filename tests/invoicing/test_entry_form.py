"""
The invoice entry form as a clerk meets it: what it prefills from the PO, and
the vendor's document kept across a refused submit (issue 14, items 1 and 5).
"""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from invoicing.models import Invoice
from invoicing.reconciliation import invoice_reconcile
from invoicing.selectors import invoice_get, invoice_list
from invoicing.services import invoice_create
from purchasing.services import purchase_order_approve, purchase_order_receive

TODAY = dt.date.today().isoformat()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def entry_url(po) -> str:
    return f"{reverse('invoicing:create')}?po={po.id}"


def bill(clerk, po, number, *quantities, prices=("100.00", "20.00")):
    """Enter and reconcile an invoice billing these quantities of the PO's lines."""
    lines = [
        {"description": f"Item {n}", "quantity": q, "unit_price": p,
         "po_line_number": n}
        for n, (q, p) in enumerate(zip(quantities, prices, strict=False), start=1) if q
    ]  # fmt: skip
    invoice = invoice_create(
        user=clerk, po_id=po.id, invoice_number=number, invoice_date=TODAY,
        lines=lines,
    )  # fmt: skip
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    return invoice_get(invoice_id=invoice.id)


def prefilled(response) -> list[tuple[int, object]]:
    """(PO line, quantity) of each line the form offers."""
    return [
        (form.initial["po_line_number"], form.initial["quantity"])
        for form in response.context["formset"].forms
    ]


# --- Item 5: what remains to bill -------------------------------------------


def test_a_fully_invoiced_po_prefills_no_quantity_and_says_so(clerk, approved_po):
    assert bill(clerk, approved_po, "ALL-1", "10", "5").status == "matched"
    response = logged_in(clerk).get(entry_url(approved_po))
    html = response.content.decode()
    # The lines are there to type what the vendor printed, but none is billed again.
    assert prefilled(response) == [(1, None), (2, None)]
    assert 'value="10"' not in html and 'value="5"' not in html
    assert f"{approved_po.po_number} is fully invoiced" in html
    assert "would be rejected as over-billing" in html


def test_a_fully_invoiced_and_paid_po_says_it_is_paid(clerk, approved_po):
    invoice = bill(clerk, approved_po, "ALL-1", "10", "5")
    Invoice.get(invoice.id).update(actions=[Invoice.status.set("paid")])
    html = logged_in(clerk).get(entry_url(approved_po)).content.decode()
    assert f"{approved_po.po_number} is fully invoiced and paid" in html


def test_a_partly_billed_po_prefills_what_remains_per_line_without_warning(
    clerk, approved_po
):
    bill(clerk, approved_po, "PART-1", "4", "5")
    response = logged_in(clerk).get(entry_url(approved_po))
    assert prefilled(response) == [(1, 6)]
    assert "fully invoiced" not in response.content.decode()


def test_a_3_way_po_prefills_what_was_received_and_not_yet_invoiced(
    make_po, approver, clerk
):
    po = make_po(match_type="3-way")
    purchase_order_approve(po_id=po.id, user=approver)
    purchase_order_receive(po_id=po.id, user=clerk, quantities={1: "6", 2: "5"})
    bill(clerk, po, "PART-1", "2", "5")
    response = logged_in(clerk).get(entry_url(po))
    # Line 1: 6 received, 2 invoiced; line 2 received and invoiced in full.
    assert prefilled(response) == [(1, 4)]


def test_a_3_way_po_billed_for_all_it_received_offers_the_rest_of_the_order(
    make_po, approver, clerk
):
    po = make_po(match_type="3-way")
    purchase_order_approve(po_id=po.id, user=approver)
    purchase_order_receive(po_id=po.id, user=clerk, quantities={1: "4"})
    bill(clerk, po, "PART-1", "4")
    response = logged_in(clerk).get(entry_url(po))
    assert prefilled(response) == [(1, 6), (2, 5)]
    html = response.content.decode()
    assert f"Everything received on {po.po_number} so far is invoiced" in html
    assert "fully invoiced" not in html


def test_a_3_way_po_with_nothing_received_offers_the_order_and_says_it_waits(
    make_po, approver, clerk
):
    po = make_po(match_type="3-way")
    purchase_order_approve(po_id=po.id, user=approver)
    response = logged_in(clerk).get(entry_url(po))
    assert prefilled(response) == [(1, 10), (2, 5)]
    assert f"Nothing has been received on {po.po_number} yet" in (
        response.content.decode()
    )


# --- Item 1: the vendor's document survives a refused submit ----------------

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def entry(po, number="INV-KEEP", total="1100.00", **extra):
    """What the entry form posts: the PO's lines as ordered, and a printed total."""
    data = {
        "invoice_number": number,
        "invoice_date": TODAY,
        "tax_amount": "0.00",
        "total_amount": total,
        "lines-TOTAL_FORMS": str(len(po.items)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(po.items):
        data[f"lines-{index}-po_line_number"] = str(line.line_number)
        data[f"lines-{index}-description"] = line.description
        data[f"lines-{index}-quantity"] = str(line.quantity)
        data[f"lines-{index}-unit_price"] = str(line.unit_price)
    data.update(extra)
    return data


def held_token(html: str) -> str:
    match = re.search(r'name="held_attachment" value="([^"]+)"', html)
    assert match, "the page keeps no file"
    return match.group(1)


def refused_once(client, po, name="rechnung.pdf", content=PDF) -> str:
    """Submit with a wrong printed total and the file; return the page shown."""
    response = client.post(
        entry_url(po),
        entry(po, total="1200.00", attachment=SimpleUploadedFile(name, content)),
    )
    assert response.status_code == 422
    return response.content.decode()


def test_a_file_sent_with_a_refused_invoice_is_kept_and_attached_on_the_next_try(
    clerk, approved_po, media
):
    client = logged_in(clerk)
    html = refused_once(client, approved_po)
    assert "Attached: <strong>rechnung.pdf</strong> (kept from your last try)" in html
    assert "choose another file to replace it" in html
    # The next submit sends no file, only what the page kept.
    response = client.post(
        entry_url(approved_po), entry(approved_po, held_attachment=held_token(html))
    )
    assert response.status_code == 302
    (invoice,) = invoice_list().items
    download = client.get(reverse("invoicing:attachment", args=[invoice.id]))
    assert b"".join(download.streaming_content) == PDF
    assert 'filename="rechnung.pdf"' in download["Content-Disposition"]
    # Only the invoice's own copy stays; the provisional one is gone.
    assert [p.name for p in media.rglob("*.pdf")] == [
        invoice.attachment_key.rsplit("/", 1)[-1]
    ]


def test_a_file_chosen_again_replaces_the_kept_one(clerk, approved_po, media):
    client = logged_in(clerk)
    token = held_token(refused_once(client, approved_po, name="first.pdf"))
    response = client.post(
        entry_url(approved_po),
        entry(
            approved_po,
            held_attachment=token,
            attachment=SimpleUploadedFile("second.pdf", PDF + b"2"),
        ),
    )
    assert response.status_code == 302
    (invoice,) = invoice_list().items
    assert invoice.attachment_name == "second.pdf"
    assert len(list(media.rglob("*.pdf"))) == 1


def test_a_kept_file_can_be_left_out(clerk, approved_po, media):
    client = logged_in(clerk)
    token = held_token(refused_once(client, approved_po))
    response = client.post(
        entry_url(approved_po),
        entry(approved_po, held_attachment=token, held_attachment_clear="on"),
    )
    assert response.status_code == 302
    (invoice,) = invoice_list().items
    assert invoice.attachment_key is None
    assert not any(media.rglob("*.pdf"))


def test_a_refused_file_is_not_kept(clerk, approved_po, media):
    html = refused_once(logged_in(clerk), approved_po, content=b"MZ\x90\x00")
    assert "named .pdf but is not a PDF" in html
    assert 'name="held_attachment"' not in html
    assert not any(media.rglob("*"))


def tampered(token: str) -> str:
    value, signature = token.rsplit(":", 1)
    return f"{value}:{signature[::-1]}"


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (tampered, "The file kept from your last try could not be verified"),
        ("another user", "The file kept from your last try was kept for another user"),
        ("expired", "The file kept from your last try has expired"),
    ],
)
def test_a_tampered_expired_or_other_users_kept_file_is_refused(
    clerk, clerk2, approved_po, media, settings, spoil, message
):
    token = held_token(refused_once(logged_in(clerk), approved_po))
    client = logged_in(clerk)
    if spoil == "another user":
        client = logged_in(clerk2)
    elif spoil == "expired":
        settings.INVOICE_ATTACHMENT_HOLD_SECONDS = -1
    else:
        token = spoil(token)
    response = client.post(
        entry_url(approved_po), entry(approved_po, held_attachment=token)
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html and "choose the file again" in html
    assert 'name="held_attachment"' not in html
    assert invoice_list().items == []


def test_held_files_are_removed_once_no_token_can_name_them(media):
    from django.core.management import call_command

    from core.documents import document_save

    old = "invoices/held/2020-01-01/old.pdf"
    today = f"invoices/held/{dt.date.today().isoformat()}/new.pdf"
    for key in (old, today):
        document_save(key=key, content=PDF, content_type="application/pdf")
    out = io.StringIO()
    call_command("discard_held_attachments", "--dry-run", stdout=out)
    assert "would remove 1 file(s)" in out.getvalue() and old in out.getvalue()
    assert (media / old).exists()
    call_command("discard_held_attachments", stdout=io.StringIO())
    assert not (media / old).exists() and (media / today).exists()


def test_on_s3_the_file_is_held_attached_and_expired_days_discarded(
    clerk, approved_po, s3_bucket
):
    from django.core.management import call_command

    client_s3, bucket = s3_bucket

    def keys(prefix):
        listed = client_s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
        return [item["Key"] for item in listed.get("Contents", [])]

    client = logged_in(clerk)
    token = held_token(refused_once(client, approved_po))
    (held,) = keys("invoices/held/")
    client_s3.copy_object(
        Bucket=bucket, Key="invoices/held/2020-01-01/old.pdf",
        CopySource={"Bucket": bucket, "Key": held},
    )  # fmt: skip
    response = client.post(
        entry_url(approved_po), entry(approved_po, held_attachment=token)
    )
    assert response.status_code == 302
    (invoice,) = invoice_list().items
    assert keys(f"invoices/{invoice.id}/") == [invoice.attachment_key]
    assert keys("invoices/held/") == ["invoices/held/2020-01-01/old.pdf"]
    call_command("discard_held_attachments", stdout=io.StringIO())
    assert keys("invoices/held/") == []
