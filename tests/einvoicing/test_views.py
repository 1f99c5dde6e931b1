"""The upload page, the intake inbox and an inbox item's actions, as a clerk sees them."""

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from lxml import html as lxml_html

from einvoicing.selectors import intake_get, intake_list
from invoicing.selectors import invoice_list
from tests.conftest import HTMX, htmx_fragment, htmx_next_page, whole_page
from tests.einvoicing.broken import with_number, with_total_broken
from tests.einvoicing.samples import sample_bytes
from tests.einvoicing.ways import (
    UBL1,
    UBL1_SELLER_VAT_ID,
    agreeing_po,
    ubl1_for_po,
    with_seller_name,
)
from vendors.selectors import vendor_list
from vendors.services import vendor_update

IMPORT = reverse("einvoicing:import")
INBOX = reverse("einvoicing:inbox")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(name: str, content: bytes):
    file = io.BytesIO(content)
    file.name = name
    return file


def text(response) -> str:
    """The page's text, tags and repeated spaces removed."""
    return re.sub(r"\s+", " ", lxml_html.fromstring(response.content).text_content())


def form_values(response, action: str) -> dict:
    """What the form posting to `action` would send as shown (its initial values)."""
    page = lxml_html.fromstring(response.content)
    (form,) = [f for f in page.forms if (f.action or "") in ("", action)]
    return dict(form.form_values())


@pytest.fixture
def koksmaat(make_vendor, einvoice_tax_codes):
    return make_vendor("De Koksmaat", vat_id=UBL1_SELLER_VAT_ID)


def inbox_item(clerk, content: bytes, name="unknown.xml"):
    """Upload one file that waits in the inbox; return its item."""
    logged_in(clerk).post(IMPORT, {"files": [upload(name, content)]})
    (item,) = [i for i in intake_list().items if i.file_name == name]
    return item


def test_several_files_are_imported_each_on_its_own_with_its_outcome(
    clerk, koksmaat, requester, approver
):
    xml, po = ubl1_for_po(vendor=koksmaat, requester=requester, approver=approver)
    broken = with_total_broken(sample_bytes("ubl-tc434-example2.xml"), "ubl")
    unknown = sample_bytes("CII_example1.xml")

    response = logged_in(clerk).post(
        IMPORT,
        {
            "files": [
                upload("known.xml", xml),
                upload("broken.xml", broken),
                upload("unknown.xml", unknown),
                upload("again.xml", xml),
                upload("same-number.xml", xml + b"\n"),
            ]
        },
    )

    assert response.status_code == 200
    page = text(response)
    (invoice,) = invoice_list().items
    (item,) = intake_list().items
    assert (
        "known.xml: 12115118 of De Koksmaat imported as invoice, waiting for "
        "reconciliation" in page
    )
    assert reverse("invoicing:detail", args=[invoice.id]) in response.content.decode()
    assert "broken.xml: refused: The e-invoice breaks" in page
    assert "BR-CO-15:" in page and "BR-CO-16:" in page
    assert "unknown.xml: 12115118 of De Koksmaat sent to the inbox: " in page
    assert item.reason in page
    assert reverse("einvoicing:detail", args=[item.id]) in response.content.decode()
    assert "again.xml: already imported (open the invoice)" in page
    assert "same-number.xml: refused: " in page and "(open the first)" in page
    assert invoice.po_id == po.id


def test_an_upload_without_file_is_refused_with_400_and_the_message(clerk):
    response = logged_in(clerk).post(IMPORT, {})

    assert response.status_code == 400
    assert "Choose one or more e-invoice files to import." in text(response)


def test_only_clerks_see_and_use_the_import(clerk, auditor):
    invoices = logged_in(clerk).get(reverse("invoicing:list")).content.decode()
    assert f'href="{IMPORT}">Import e-invoice</a>' in invoices
    page = logged_in(clerk).get(IMPORT)
    assert 'type="file" name="files"' in page.content.decode()
    assert 'accept=".xml,.pdf"' in page.content.decode()
    assert "multiple" in page.content.decode()

    reader = logged_in(auditor)
    assert (
        "Import e-invoice" not in reader.get(reverse("invoicing:list")).content.decode()
    )
    assert reader.get(IMPORT).status_code == 403


def test_the_inbox_pages_its_items_newest_first(clerk, einvoice_tax_codes, settings):
    settings.PAGE_SIZE = 2
    cii = sample_bytes("CII_example1.xml")
    for n in range(3):
        inbox_item(clerk, with_number(cii, "cii", f"N-{n}"), name=f"n{n}.xml")
    client = logged_in(clerk)

    first = whole_page(client.get(INBOX), region="inbox-list")

    assert first.index("n2.xml") < first.index("n1.xml")
    assert "n0.xml" not in first
    assert "Needs vendor" in first and "NL8200.98.395.B.01" in first
    second = htmx_fragment(
        client.get(htmx_next_page(INBOX, first), headers=HTMX), region="inbox-list"
    )
    assert "n0.xml" in second and "n1.xml" not in second
    assert "Next page" not in second


def test_an_empty_inbox_says_how_e_invoices_arrive(clerk):
    page = text(logged_in(clerk).get(INBOX))

    assert "The inbox is empty" in page
    assert "Import e-invoices from the invoice list" in page
    assert "import_einvoices" in page


def test_all_shows_the_discarded_items_too(clerk, einvoice_tax_codes):
    item = inbox_item(clerk, sample_bytes("CII_example1.xml"))
    client = logged_in(clerk)
    client.post(
        reverse("einvoicing:discard", args=[item.id]),
        {"version": item.version, "reason": "Sent to us by mistake"},
    )

    assert "unknown.xml" not in client.get(INBOX).content.decode()
    everything = text(client.get(INBOX, {"show": "all"}))
    assert "unknown.xml" in everything and "Discarded" in everything
    assert "Sent to us by mistake" in everything


def test_create_vendor_from_the_einvoice_prefills_the_form_and_looks_again(
    clerk, einvoice_tax_codes
):
    item = inbox_item(clerk, sample_bytes(UBL1))
    client = logged_in(clerk)
    detail = client.get(reverse("einvoicing:detail", args=[item.id]))
    vendor_url = reverse("einvoicing:vendor", args=[item.id])
    assert "Create vendor from this e-invoice" in text(detail)
    assert vendor_url in detail.content.decode()

    form = client.get(vendor_url)

    values = form_values(form, vendor_url)
    assert values["name"] == "De Koksmaat"
    assert values["vat_id"] == "NL8200.98.395.B.01"
    assert values["intake_version"] == str(item.version)
    assert "From the e-invoice 12115118 of De Koksmaat" in text(form)

    values["email"] = "orders@koksmaat.example"
    saved = client.post(vendor_url, values, follow=True)

    (vendor,) = vendor_list().items
    assert vendor.name == "De Koksmaat"
    page = text(saved)
    assert "Vendor “De Koksmaat” created." in page
    assert "confirmed by another AP clerk" in page  # its IBAN awaits a second clerk
    assert "Still in the inbox:" in page  # it names no PO: now it needs one
    assert intake_get(intake_id=item.id).status == "needs_po"
    assert saved.redirect_chain[-1][0] == reverse("einvoicing:detail", args=[item.id])


def test_look_again_after_the_vendor_exists_moves_it_on(
    clerk, einvoice_tax_codes, make_vendor
):
    item = inbox_item(clerk, sample_bytes(UBL1))
    make_vendor("De Koksmaat", vat_id=UBL1_SELLER_VAT_ID)

    response = logged_in(clerk).post(
        reverse("einvoicing:retry", args=[item.id]), {"version": item.version},
        follow=True,
    )  # fmt: skip

    assert intake_get(intake_id=item.id).status == "needs_po"
    assert "Pick the PO" in text(response)


def test_pick_the_po_turns_the_item_into_an_invoice_against_it(
    clerk, koksmaat, requester, approver
):
    xml = sample_bytes(UBL1)
    po = agreeing_po(xml, vendor=koksmaat, requester=requester, approver=approver)
    item = inbox_item(clerk, xml)  # it names no PO
    client = logged_in(clerk)
    detail = client.get(reverse("einvoicing:detail", args=[item.id]))
    assert po.po_number in text(detail)

    response = client.post(
        reverse("einvoicing:assign-po", args=[item.id]),
        {"version": item.version, "po": po.id},
        follow=True,
    )

    (invoice,) = invoice_list().items
    assert invoice.po_id == po.id and invoice.invoice_number == "12115118"
    assert response.redirect_chain[-1][0] == reverse(
        "invoicing:detail", args=[invoice.id]
    )
    assert "imported as invoice, waiting for reconciliation" in text(response)
    after = intake_get(intake_id=item.id)
    assert (after.status, after.invoice_id) == ("imported", invoice.id)


def test_enter_as_invoice_without_po_is_refused_uncoded_and_taken_coded(
    clerk, make_vendor, einvoice_tax_codes
):
    vendor = make_vendor("De Koksmaat", vat_id=UBL1_SELLER_VAT_ID)
    item = inbox_item(clerk, sample_bytes(UBL1))
    url = reverse("einvoicing:without-po", args=[item.id])

    refused = logged_in(clerk).post(url, {"version": item.version}, follow=True)

    assert "Line 1 needs a GL account." in text(refused)
    assert "and 37 more." in text(refused)
    assert invoice_list().items == []
    vendor_update(
        vendor_id=vendor.id, user=clerk, version=vendor.version,
        changes={"default_gl_account": "4980", "default_cost_centre": "4100"},
    )  # fmt: skip

    response = logged_in(clerk).post(url, {"version": item.version}, follow=True)

    (invoice,) = invoice_list().items
    assert invoice.po_id is None and invoice.status == "awaiting_approval"
    assert "imported as invoice, waiting for approval" in text(response)


def test_discard_needs_a_reason_and_a_stale_page_is_refused(clerk, einvoice_tax_codes):
    item = inbox_item(clerk, sample_bytes("CII_example1.xml"))
    client = logged_in(clerk)
    url = reverse("einvoicing:discard", args=[item.id])

    missing = client.post(url, {"version": item.version, "reason": ""})

    assert missing.status_code == 422
    assert "Say why the e-invoice is discarded." in text(missing)
    assert intake_get(intake_id=item.id).waiting

    client.post(
        reverse("einvoicing:retry", args=[item.id]), {"version": item.version}
    )  # looks again: the item's version moves on
    stale = client.post(url, {"version": item.version, "reason": "Spam"}, follow=True)

    assert intake_get(intake_id=item.id).waiting
    assert "changed" in text(stale).lower() or "reload" in text(stale).lower()

    current = intake_get(intake_id=item.id)
    done = client.post(url, {"version": current.version, "reason": "Spam"}, follow=True)

    assert "is discarded" in text(done)
    assert intake_get(intake_id=item.id).status == "discarded"
    assert "Discard this e-invoice" not in text(done)


def test_readers_view_an_item_but_only_clerks_act(clerk, auditor, einvoice_tax_codes):
    item = inbox_item(clerk, sample_bytes("CII_example1.xml"))
    reader = logged_in(auditor)

    page = text(reader.get(reverse("einvoicing:detail", args=[item.id])))

    assert "12115118" in page and "De Koksmaat" in page
    assert "Discard this e-invoice" not in page
    assert "Create vendor" not in page
    refused = reader.post(
        reverse("einvoicing:discard", args=[item.id]),
        {"version": item.version, "reason": "Mine"},
        follow=True,
    )
    assert "Only AP Clerk users may discard e-invoices." in text(refused)
    assert intake_get(intake_id=item.id).waiting
    assert reader.get(reverse("einvoicing:vendor", args=[item.id])).status_code == 403


def test_a_seller_name_with_script_is_shown_as_text(clerk, einvoice_tax_codes):
    xml = with_seller_name(sample_bytes(UBL1), "<script>alert(1)</script> BV")

    response = logged_in(clerk).post(IMPORT, {"files": [upload("x.xml", xml)]})
    (item,) = intake_list().items
    pages = [
        response,
        logged_in(clerk).get(INBOX),
        logged_in(clerk).get(reverse("einvoicing:detail", args=[item.id])),
        logged_in(clerk).get(reverse("einvoicing:vendor", args=[item.id])),
    ]

    for page in pages:
        html = page.content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; BV" in html
