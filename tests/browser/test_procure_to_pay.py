"""
Procure to pay in a real browser, as the people who do it.

One journey carries its state from step to step (the vendor a clerk creates
is the one the requester orders from, and so on): a new vendor whose bank
details a second clerk confirms, a 3-way PO two approvers approve, the goods
received, two invoices (one matched, one rejected for its price), a payment
run built, approved, exported and confirmed, and last the auditor reading
what happened. The other tests are single pages a person might get wrong.
"""

import re
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from purchasing.services import purchase_order_create
from tests.conftest import VALID_VENDOR, po_lines
from vendors.services import vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]

VENDOR = "Bureau Fournitures SA"
IBAN = "FR1420041010050500013M02606"
BIC = "BNPAFRPPXXX"
# (description, quantity, unit price): 5,650.00 in all, so two approvers.
PO_LINES = [
    ("Office chairs", "10", "400.00"),
    ("Desk lamps", "20", "45.00"),
    ("Monitor arms", "8", "75.00"),
    ("Delivery and assembly", "1", "150.00"),
]
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def flash(page: Page):
    """The messages the last action left at the top of the page."""
    return page.get_by_role("status")


def field(page: Page, label: str):
    """The form field of this label, exactly (a required one's label ends in " *")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def nav(page: Page, name: str) -> None:
    """Follow a link of the site's main navigation."""
    main = page.get_by_role("navigation", name="Main")
    main.get_by_role("link", name=name, exact=True).click()


def filter_list(page: Page, query: str) -> None:
    """Press Filter and wait until the list shown is the filtered one (htmx swaps it in place)."""
    with swapped_in_place(page):
        page.get_by_role("button", name="Filter").click()
        expect(page).to_have_url(re.compile(re.escape(query)))


@contextmanager
def swapped_in_place(page: Page):
    """Check that what happens inside swaps part of the page rather than loading another."""
    page.evaluate("window.p2pSamePage = true")
    yield
    assert page.evaluate("window.p2pSamePage === true"), "a whole page was loaded"


def heading(page: Page):
    """The page's title, with the record's status badge."""
    return page.get_by_role("heading", level=1)


def column(page: Page, name: str) -> list[str]:
    """The texts of one column of the page's table, top to bottom."""
    table = page.get_by_role("table")
    headers = [h.strip() for h in table.get_by_role("columnheader").all_inner_texts()]
    index = next(i for i, h in enumerate(headers) if h.startswith(name))
    rows = table.get_by_role("row").all()[1:]
    return [row.get_by_role("cell").nth(index).inner_text().strip() for row in rows]


# --- the journey's steps, each as the person at their own desk does it -------


def clerk_creates_vendor(page: Page) -> str:
    """Fill the vendor form with bank details; return the vendor page's URL."""
    nav(page, "Vendors")
    page.get_by_role("button", name="New vendor").click()
    field(page, "Name").fill(VENDOR)
    field(page, "E-mail").fill("factures@bureau.example")
    field(page, "Phone").fill("+33 1 23 45 67 89")
    field(page, "Address").fill("12 rue de la Paix\n75002 Paris")
    field(page, "Tax id").fill("FR40303265045")
    field(page, "Status").select_option(label="Active")
    field(page, "Payment terms").fill("Due on receipt")
    field(page, "Currency").select_option("EUR")
    field(page, "IBAN").fill(IBAN)
    field(page, "BIC").fill(BIC)
    page.get_by_role("button", name="Create vendor").click()

    expect(flash(page)).to_contain_text(f"Vendor “{VENDOR}” created.")
    expect(flash(page)).to_contain_text("must be confirmed by another AP clerk")
    expect(heading(page)).to_contain_text(VENDOR)
    expect(heading(page)).to_contain_text("Payment hold")
    hold = page.get_by_role("note").filter(has_text="Payments held")
    expect(hold).to_contain_text("changed by clerk")
    # Whoever changed the details cannot confirm them.
    expect(page.get_by_role("button", name=re.compile("confirm$"))).to_have_count(0)
    return page.url


def second_clerk_confirms_bank_details(page: Page, vendor_url: str) -> None:
    page.goto(vendor_url)
    expect(page.get_by_text(IBAN)).to_be_visible()
    page.get_by_role(
        "button", name="I have verified these bank details with the vendor — confirm"
    ).click()
    expect(flash(page)).to_contain_text(f"Bank details of “{VENDOR}” confirmed.")
    expect(page.get_by_text("Payments held")).to_have_count(0)
    expect(heading(page)).not_to_contain_text("Payment hold")


def requester_raises_po(page: Page) -> str:
    """Raise a 3-way PO, adding a fourth line with "Add line"; return its number."""
    nav(page, "Purchase orders")
    page.get_by_role("button", name="New purchase order").click()
    field(page, "Vendor").select_option(label=VENDOR)
    page.get_by_label("3-way: invoice against the PO and goods received").check()
    for number, line in enumerate(PO_LINES[:3], start=1):
        fill_line(page, number, *line)
    with swapped_in_place(page):
        page.get_by_role("button", name="Add line").click()
        expect(page.get_by_label("Line 4 description")).to_be_empty()
        # The lines typed before are kept; the rest of the form is left as it was.
        expect(page.get_by_label("Line 3 description")).to_have_value(PO_LINES[2][0])
    fill_line(page, 4, *PO_LINES[3])
    field(page, "Notes").fill("New open-plan office, second floor.")
    page.get_by_role("button", name="Raise purchase order").click()

    expect(flash(page)).to_contain_text("raised; it now awaits approval.")
    expect(heading(page)).to_contain_text("Pending")
    po_number = re.search(r"PO-\d{4}-\d{6}", heading(page).inner_text())[0]
    expect(page.get_by_text("EUR 5,650.00").first).to_be_visible()
    expect(
        page.get_by_text("POs of this size need two different approvers.")
    ).to_be_visible()
    expect(
        page.get_by_text("You raised this PO, so someone else must approve it.")
    ).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)
    return po_number


def fill_line(page: Page, number: int, description: str, quantity: str, price: str):
    page.get_by_label(f"Line {number} description").fill(description)
    page.get_by_label(f"Line {number} quantity").fill(quantity)
    page.get_by_label(f"Line {number} unit price").fill(price)


def approver_approves(page: Page, po_number: str, total: str = "EUR 5,650.00"):
    nav(page, "Awaiting my approval")
    page.get_by_role("link", name=po_number).click()
    page.get_by_role("button", name=f"Approve {total}").click()


def two_approvers_approve(first: Page, second: Page, po_number: str) -> None:
    approver_approves(first, po_number)
    expect(flash(first)).to_contain_text(
        f"Your approval of {po_number} is recorded (1 of 2); it awaits another approver."
    )
    expect(heading(first)).to_contain_text("Pending")
    approver_approves(second, po_number)
    expect(flash(second)).to_contain_text(f"{po_number} approved.")
    expect(heading(second)).to_contain_text("Approved")
    approvals = second.get_by_role("listitem")
    expect(approvals.filter(has_text="approver on ")).to_have_count(1)
    expect(approvals.filter(has_text="approver2 on ")).to_have_count(1)


def clerk_records_receipt(page: Page, po_number: str) -> None:
    """Record that everything ordered arrived (the PO is 3-way)."""
    open_po(page, po_number)
    page.get_by_role("button", name="Record receipt").click()
    for number, (description, quantity, _price) in enumerate(PO_LINES, start=1):
        page.get_by_label(f"Line {number}: {description}").fill(quantity)
    field(page, "Note").fill("Delivered complete, no damage.")
    page.get_by_role("button", name="Record receipt").click()
    expect(flash(page)).to_contain_text(f"Receipt recorded on {po_number}.")
    for _description, quantity, _price in PO_LINES:
        expect(
            page.get_by_role("cell", name=f"{quantity} of {quantity}").first
        ).to_be_visible()


def open_po(page: Page, po_number: str) -> None:
    nav(page, "Purchase orders")
    page.get_by_role("link", name=po_number).click()
    expect(heading(page)).to_contain_text(po_number)


def clerk_enters_first_invoice(page: Page, po_number: str) -> None:
    """Find the PO by the number on the invoice; bill the goods, not the delivery."""
    nav(page, "Invoices")
    page.get_by_role("button", name="Enter an invoice").click()
    field(page, "PO number").fill(po_number)
    page.get_by_role("button", name="Find PO").click()
    expect(heading(page)).to_have_text(f"Invoice against {po_number}")
    field(page, "Invoice number").fill("F-2026-4711")
    field(page, "Invoice date").fill(timezone.localdate().isoformat())
    page.get_by_label("Remove line 4").check()
    page.get_by_label("Vendor's invoice").set_input_files(
        {"name": "facture-4711.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Enter invoice").click()
    expect(flash(page)).to_contain_text("Invoice F-2026-4711 entered")
    expect(heading(page)).to_contain_text("Received")


def clerk_reconciles(page: Page, invoice_number: str) -> None:
    with swapped_in_place(page):
        page.get_by_role("button", name="Reconcile now").click()
        expect(flash(page)).to_contain_text(f"Invoice {invoice_number} ")
        expect(page.get_by_role("button", name="Reconcile now")).to_have_count(0)


def clerk_downloads_attachment(page: Page) -> bytes:
    with page.expect_download() as download:
        page.get_by_role("link", name="facture-4711.pdf").click()
    return download.value.path().read_bytes()


def clerk_enters_overpriced_invoice(page: Page) -> None:
    """The delivery, billed later at 180.00 where the PO says 150.00."""
    nav(page, "Invoices")
    page.get_by_role("button", name="Enter an invoice").click()
    field(page, "Vendor").select_option(label=VENDOR)
    with swapped_in_place(page):
        page.get_by_role("button", name="Show the vendor's POs").click()
        expect(page).to_have_url(re.compile(r"\?vendor="))
        expect(page.get_by_role("heading", level=2)).to_have_text(
            f"Approved and sent POs of {VENDOR}"
        )
    page.get_by_role("link", name="Enter invoice for this PO").click()
    field(page, "Invoice number").fill("F-2026-4790")
    field(page, "Invoice date").fill(timezone.localdate().isoformat())
    # Lines 1-3 were billed in full on F-2026-4711: only the delivery is offered.
    expect(page.get_by_label("Remove line 2")).to_have_count(0)
    page.get_by_label("Line 1 unit price").fill("180.00")
    page.get_by_role("button", name="Enter invoice").click()
    expect(flash(page)).to_contain_text("Invoice F-2026-4790 entered")


def rejection_is_explained(page: Page) -> None:
    """The findings beside the line, in their own table, and on the exceptions list."""
    expect(flash(page)).to_contain_text("Invoice F-2026-4790 was rejected with")
    expect(heading(page)).to_contain_text("Rejected")
    expect(page.get_by_role("row", name=re.compile("^1 → PO 4"))).to_contain_text(
        "PRICE_VARIANCE"
    )
    findings = page.get_by_role("table").filter(has_text="What it means")
    price = findings.get_by_role("row").filter(has_text="PRICE_VARIANCE")
    expect(price.get_by_role("cell", name="150.00", exact=True)).to_be_visible()
    expect(price.get_by_role("cell", name="180.00", exact=True)).to_be_visible()
    expect(findings.get_by_role("row").filter(has_text="TOTAL_VARIANCE")).to_have_count(
        1
    )
    nav(page, "Exceptions")
    expect(page.get_by_role("row").filter(has_text="F-2026-4790")).to_contain_text(
        "Line 4: unit price 180.00 differs from the PO's 150.00 by more than 1%."
    )


def treasurer_builds_run(page: Page) -> str:
    """Build today's run from the invoices due; return the run's page URL."""
    nav(page, "Payment runs")
    page.get_by_role("button", name="Build a payment run").click()
    expect(page.get_by_role("textbox", name="Payment date")).to_have_value(
        timezone.localdate().isoformat()
    )
    page.get_by_role("button", name="Propose invoices").click()
    pay = page.get_by_label("Pay F-2026-4711")
    expect(pay).to_be_checked()
    expect(page.get_by_label("Pay F-2026-4790")).to_have_count(0)  # rejected
    expect(
        page.get_by_role("row", name=re.compile("Total of the ticked invoices"))
    ).to_contain_text("EUR 5,500.00")
    page.get_by_role("button", name="Build the run").click()
    expect(flash(page)).to_contain_text("built with 1 invoices.")
    expect(heading(page)).to_contain_text("Draft")
    expect(page.get_by_role("note")).to_contain_text(
        "you built this run; another user must approve it"
    )
    return page.url


def approver_approves_run(page: Page, run_url: str) -> None:
    page.goto(run_url)
    page.get_by_role("button", name="Approve this run").click()
    expect(flash(page)).to_contain_text("approved.")
    expect(heading(page)).to_contain_text("Approved")


def treasurer_exports_and_downloads(page: Page, run_url: str) -> str:
    page.goto(run_url)
    page.get_by_role("button", name="Export the payment file").click()
    expect(flash(page)).to_contain_text("its payment files are ready to download.")
    with page.expect_download() as download:
        page.get_by_role("link", name="pain001-EUR.xml").click()
    assert download.value.suggested_filename.endswith("pain001-EUR.xml")
    return download.value.path().read_text(encoding="utf-8")


def treasurer_confirms_the_bank_paid(page: Page) -> None:
    page.get_by_role("button", name="Confirm the bank executed it").click()
    expect(flash(page)).to_contain_text("confirmed: its invoices are paid.")
    expect(heading(page)).to_contain_text("Confirmed")


def auditor_reads_the_trail(page: Page) -> None:
    """Every record's steps on the trail, and the run's own, newest first, by whom."""
    nav(page, "Audit trail")
    actions = column(page, "Action")
    for action in ("CREATE", "CONFIRM_BANK_DETAILS", "APPROVE", "RECEIVE", "RECONCILE"):
        assert action in actions, action
    field(page, "Record type").select_option(label="Payment run")
    filter_list(page, "entity_type=payment_run")
    assert column(page, "Action") == ["CONFIRM", "EXPORT", "APPROVE", "CREATE"]
    assert column(page, "Who") == ["treasurer", "treasurer", "approver", "treasurer"]
    # Back to the whole trail: htmx asks for the page it left, and gets it whole.
    page.go_back()
    expect(page.get_by_role("cell", name="CONFIRM_BANK_DETAILS")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(1)
    expect(field(page, "Record type")).to_have_value("")


def auditor_exports_the_invoices(page: Page) -> str:
    """The invoice list, filtered to paid ones, downloaded as CSV."""
    nav(page, "Invoices")
    field(page, "Status").select_option(label="Paid")
    filter_list(page, "status=paid")
    expect(page.get_by_role("link", name="F-2026-4711")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    # Clear brings the whole list back in place, as Filter narrowed it.
    with swapped_in_place(page):
        page.get_by_role("button", name="Clear").click()
        expect(page).to_have_url(re.compile(r"/invoices/$"))
    expect(field(page, "Status")).to_have_value("")
    return download.value.path().read_text(encoding="utf-8-sig")


# --- the tests ---------------------------------------------------------------


def test_procure_to_pay_from_new_vendor_to_paid_invoice_and_its_audit_trail(desk):
    # 1. A clerk creates the vendor; a second clerk confirms its bank details.
    vendor_url = clerk_creates_vendor(desk("clerk"))
    second_clerk_confirms_bank_details(desk("clerk2"), vendor_url)

    # 2. The requester raises a PO of 5,650.00; two approvers approve it.
    po_number = requester_raises_po(desk("requester"))
    two_approvers_approve(desk("approver"), desk("approver2"), po_number)

    # 3. The goods arrive; the clerk records them (the PO is 3-way).
    clerk = desk("clerk")
    clerk_records_receipt(clerk, po_number)

    # 4. The goods' invoice, with the vendor's PDF, matches; the delivery's,
    #    at a higher price than ordered, is rejected and says why.
    clerk_enters_first_invoice(clerk, po_number)
    assert clerk_downloads_attachment(clerk) == PDF
    clerk_reconciles(clerk, "F-2026-4711")
    expect(flash(clerk)).to_contain_text("Invoice F-2026-4711 matched its PO.")
    expect(heading(clerk)).to_contain_text("Matched")
    expect(
        clerk.get_by_text("No findings: the invoice matches its PO.")
    ).to_be_visible()
    clerk_enters_overpriced_invoice(clerk)
    clerk_reconciles(clerk, "F-2026-4790")
    rejection_is_explained(clerk)

    # 5. The treasurer builds today's run, an approver approves it, the
    #    treasurer exports the pain.001 file and confirms the bank paid.
    treasurer = desk("treasurer")
    run_url = treasurer_builds_run(treasurer)
    approver_approves_run(desk("approver"), run_url)
    xml = treasurer_exports_and_downloads(treasurer, run_url)
    # The file's own message id: the run's number, its currency, the export.
    assert re.search(r"<MsgId>PR-[0-9A-Z-]+-EUR-[0-9a-f]{8}</MsgId>", xml)
    assert f"<IBAN>{IBAN}</IBAN>" in xml
    assert '<InstdAmt Ccy="EUR">5500.00</InstdAmt>' in xml
    assert "F-2026-4711" in xml
    treasurer_confirms_the_bank_paid(treasurer)
    treasurer.get_by_role("link", name="F-2026-4711").click()
    expect(heading(treasurer)).to_contain_text("Paid")

    # 6. The auditor reads what happened, and takes the paid invoices away
    #    as a spreadsheet.
    auditor = desk("auditor")
    auditor_reads_the_trail(auditor)
    exported = auditor_exports_the_invoices(auditor)
    assert "F-2026-4711" in exported and "F-2026-4790" not in exported


def test_an_approver_cannot_approve_above_their_limit(desk, people):
    vendor = vendor_create(
        user=people["clerk"],
        fields={**VALID_VENDOR, "status": "active"},
    )
    po = purchase_order_create(
        user=people["requester"],
        vendor_id=vendor.id,
        lines=po_lines(("12", "1000.00")),
    )
    assert po.total_amount == Decimal("12000.00")

    page = desk("approver")  # limit 10,000.00
    nav(page, "Awaiting my approval")
    expect(page.get_by_role("link", name=po.po_number)).to_have_count(0)
    open_po(page, po.po_number)
    expect(page.get_by_role("note")).to_contain_text(
        f"You cannot approve this PO: {po.po_number} totals EUR 12,000.00, above "
        "your approval limit of EUR 10,000.00"
    )
    expect(page.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)

    page = desk("approver2")  # limit 50,000.00
    approver_approves(page, po.po_number, "EUR 12,000.00")
    expect(flash(page)).to_contain_text("(1 of 2)")


def test_a_wrong_password_is_refused_on_the_login_form(anonymous, people):
    anonymous.goto("/vendors/")
    expect(anonymous).to_have_url(re.compile(r"/accounts/login/\?next=/vendors/"))
    field(anonymous, "Username").fill("clerk")
    field(anonymous, "Password").fill("not-the-password")
    anonymous.get_by_role("button", name="Log in").click()
    expect(anonymous.get_by_role("alert")).to_have_text(
        "Your username and password didn't match. Please try again."
    )
    expect(field(anonymous, "Username")).to_have_value("clerk")
    expect(anonymous.get_by_role("button", name="Log out")).to_have_count(0)


def test_a_modified_click_on_a_page_link_opens_it_in_a_new_tab(desk, people, settings):
    settings.PAGE_SIZE = 2
    for name in ("Alpha Bürobedarf", "Beta Papier", "Gamma Toner"):
        vendor_create(user=people["clerk"], fields={**VALID_VENDOR, "name": name})
    page = desk("clerk")
    nav(page, "Vendors")
    first_page = column(page, "Name")
    assert first_page == ["Gamma Toner", "Beta Papier"]
    list_url = page.url
    next_page = page.get_by_role("link", name="Next page »")

    with swapped_in_place(page):
        # Ctrl (Cmd on a Mac), Shift and the middle button open the next page
        # in a tab or window of its own, as for any link; this one stays put.
        for click in (
            lambda: next_page.click(modifiers=["ControlOrMeta"]),
            lambda: next_page.click(modifiers=["Shift"]),
            lambda: next_page.click(button="middle"),
        ):
            with page.context.expect_page() as opened:
                click()
            tab = opened.value
            tab.wait_for_load_state()
            expect(tab).to_have_url(re.compile(r"/vendors/\?cursor="))
            expect(tab.get_by_role("navigation", name="Main")).to_have_count(1)
            assert column(tab, "Name") == ["Alpha Bürobedarf"]
            tab.close()
            page.wait_for_load_state("networkidle")
            assert page.url == list_url
            assert column(page, "Name") == first_page

        # A plain click swaps the next page into the list.
        next_page.click()
        expect(page).to_have_url(re.compile(r"/vendors/\?cursor="))
        expect(page.get_by_role("link", name="Alpha Bürobedarf")).to_be_visible()
        assert column(page, "Name") == ["Alpha Bürobedarf"]


def test_enter_in_a_line_field_raises_the_po_not_another_line(desk, people):
    """Issue 14 item 4: Enter submits the form's main action, not "Add line"."""
    vendor_create(user=people["clerk"], fields={**VALID_VENDOR, "status": "active"})
    page = desk("requester")
    nav(page, "Purchase orders")
    page.get_by_role("button", name="New purchase order").click()
    field(page, "Vendor").select_option(label=VALID_VENDOR["name"])
    fill_line(page, 1, "Desk lamps", "4", "25.00")
    page.get_by_label("Line 1 unit price").press("Enter")

    expect(flash(page)).to_contain_text("raised; it now awaits approval.")
    expect(page.get_by_text("EUR 100.00").first).to_be_visible()
