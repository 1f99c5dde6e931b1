"""
Issue 14 in a browser, measured as a person sees the page:

- item 15: at a tablet's width (768 px) the invoice list's Total and Due and
  the invoice page's PO price and Findings are on screen without scrolling
  sideways, and the invoice form shows a line's whole description; at a
  laptop's (1280 px) the header is one line for every role;
- item 14: the ageing chart's bars are labelled as its table's rows;
- item 9: the second clerk finds the vendor awaiting confirmation from the
  dashboard, confirms it, and the queue empties.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dashboard.services import dashboard_refresh
from invoicing.reconciliation import invoice_reconcile
from invoicing.services import invoice_create
from purchasing.services import (
    purchase_order_approve,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
)
from tests.browser.conftest import log_in
from tests.browser.page_checks import LAPTOP, TABLET
from tests.conftest import VALID_VENDOR, make_user
from vendors.services import vendor_bank_details_confirm, vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]

# As long as descriptions on vendors' invoices commonly are.
LONG_DESCRIPTION = "Ergonomic office chairs, black mesh"

# Where an element is drawn against what a person sees without scrolling
# sideways: the window, and every box that clips or scrolls it (at its
# scroll position, which a page opens at 0). None when all of it is in view.
IN_VIEW_JS = r"""(el) => {
  const r = el.getBoundingClientRect();
  if (!el.checkVisibility() || r.width < 1 || r.height < 1) return "not shown";
  const at = `${Math.round(r.left)}-${Math.round(r.right)} px`;
  if (r.left < -0.5 || r.right > window.innerWidth + 0.5) {
    return `${at}, outside the ${window.innerWidth} px window`;
  }
  for (let n = el.parentElement; n && n !== document.body; n = n.parentElement) {
    if (!["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(n).overflowX)) continue;
    const box = n.getBoundingClientRect();
    if (r.left < box.left - 0.5 || r.right > box.right + 0.5) {
      return `${at}, scrolled out of its box (${Math.round(box.left)}-${Math.round(box.right)} px)`;
    }
  }
  return null;
}"""

# A text field whose value is wider than the field shows it cut off.
CUT_OFF_JS = r"""(el) => el.scrollWidth > el.clientWidth + 1
  ? `shows ${el.clientWidth} px of its ${el.scrollWidth} px text`
  : el.scrollHeight > el.clientHeight + 1
  ? `shows ${el.clientHeight} px of its ${el.scrollHeight} px high text` : null"""

# The header's rows: the distinct tops of its links and buttons.
HEADER_ROWS_JS = r"""() => {
  const nav = document.querySelector('header.site nav[aria-label="Main"]');
  const tops = new Set();
  for (const el of nav.querySelectorAll("a, button, input:not([type=hidden])")) {
    if (!el.checkVisibility()) continue;
    const r = el.getBoundingClientRect();
    tops.add(Math.round(r.top + r.height / 2));
  }
  const rows = [...tops].sort((a, b) => a - b)
    .filter((top, i, all) => i === 0 || top - all[i - 1] > 8);
  return { rows: rows.length, height: Math.round(nav.getBoundingClientRect().height) };
}"""


@pytest.fixture
def invoices(people):
    """A sent PO with long line descriptions, a matched and a rejected invoice."""
    clerk, requester = people["clerk"], people["requester"]
    today = timezone.localdate()
    vendor = vendor_create(
        user=clerk,
        fields={**VALID_VENDOR, "status": "active", "iban": "DE89370400440532013000"},
    )
    vendor_bank_details_confirm(
        vendor_id=vendor.id, user=people["clerk2"], version=vendor.version
    )
    po = purchase_order_create(
        user=requester,
        vendor_id=vendor.id,
        lines=[
            {"description": LONG_DESCRIPTION, "quantity": "10", "unit_price": "400.00"},
            {"description": "Height-adjustable desk lamps, LED", "quantity": "20",
             "unit_price": "45.00"},
        ],
    )  # fmt: skip
    purchase_order_approve(po_id=po.id, user=people["approver2"])
    purchase_order_send(po_id=po.id, user=requester)
    purchase_order_receive(po_id=po.id, user=clerk, quantities={1: "10", 2: "20"})

    def invoice(number, line, price):
        created = invoice_create(
            user=clerk, po_id=po.id, invoice_number=number, invoice_date=today,
            lines=[{"description": po.items[line - 1].description, "quantity": "10",
                    "unit_price": price, "po_line_number": line}],
        )  # fmt: skip
        invoice_reconcile(invoice_id=created.id, user=clerk)
        return created

    return {
        "po": po,
        "matched": invoice("F-2001", 1, "400.00"),
        "rejected": invoice("F-2002", 2, "52.00"),
    }


def in_view(locator) -> str | None:
    return locator.evaluate(IN_VIEW_JS)


def test_at_768_px_the_invoice_lists_total_and_due_are_in_view(desk, invoices):
    page = desk("clerk")
    page.set_viewport_size(TABLET)
    page.goto("/invoices/")
    table = page.get_by_role("table")
    row = table.get_by_role("row").filter(has_text="F-2002")

    problems = {
        name: in_view(cell)
        for name, cell in [
            ("Total heading", table.get_by_role("columnheader", name="Total")),
            ("Due heading", table.get_by_role("columnheader", name="Due")),
            ("the total", row.get_by_text(re.compile(r"520\.00"))),
            ("the due date", row.get_by_role("cell").last),
            ("the number", row.get_by_role("link", name="F-2002")),
        ]
    }

    assert {name: p for name, p in problems.items() if p} == {}


def test_at_768_px_the_invoice_page_shows_po_price_and_findings(desk, invoices):
    page = desk("clerk")
    page.set_viewport_size(TABLET)
    page.goto(f"/invoices/{invoices['rejected'].id}/")
    table = page.locator("#reconciliation table").first
    row = table.get_by_role("row").filter(has_text="52.00")

    problems = {
        name: in_view(cell)
        for name, cell in [
            ("PO price heading", table.get_by_role("columnheader", name="PO price")),
            ("Findings heading", table.get_by_role("columnheader", name="Findings")),
            ("the PO price", row.get_by_text("45.00", exact=True)),
            ("the finding", row.get_by_text("PRICE_VARIANCE")),
        ]
    }

    assert {name: p for name, p in problems.items() if p} == {}


@pytest.mark.parametrize("viewport", [TABLET, LAPTOP], ids=["tablet", "laptop"])
def test_the_invoice_form_shows_each_lines_whole_description(desk, invoices, viewport):
    page = desk("clerk")
    page.set_viewport_size(viewport)
    page.goto(f"/invoices/new/?po={invoices['po'].id}")
    descriptions = page.get_by_label(re.compile(r"^Line \d+ description$"))
    expect(descriptions.first).to_have_value(re.compile("desk lamps|office chairs"))

    problems = {}
    for n, field in enumerate(descriptions.all(), start=1):
        if field.input_value():
            problems[f"line {n}"] = in_view(field) or field.evaluate(CUT_OFF_JS)
    problems["unit price"] = in_view(page.get_by_label("Line 1 unit price"))

    assert {name: p for name, p in problems.items() if p} == {}


@pytest.mark.parametrize(
    "who", ["clerk", "requester", "approver", "treasurer", "auditor", "admin"]
)
def test_at_1280_px_the_header_is_one_line_for_every_role(browser_pages, people, who):
    if who == "admin":
        make_user("admin", superuser=True)
    page = browser_pages.open(who)
    page.set_viewport_size(LAPTOP)
    log_in(page, who)

    measured = page.evaluate(HEADER_ROWS_JS)

    assert measured["rows"] == 1, f"the header of {who} takes {measured}"
    # Every link still in reach, on that one line.
    main = page.get_by_role("navigation", name="Main")
    for link in ("Vendors", "Purchase orders", "Invoices", "Payment runs"):
        assert in_view(main.get_by_role("link", name=link, exact=True)) is None


def test_the_ageing_chart_is_labelled_as_its_table(desk, invoices):
    dashboard_refresh()
    page = desk("auditor")
    page.goto("/")
    canvas = page.locator('canvas[data-chart="ageing"]')
    expect(canvas).to_be_visible()

    labels = canvas.evaluate("(c) => Chart.getChart(c).data.labels")
    rows = page.locator("table.figures").filter(has_text="Past due")
    first_cells = rows.locator("tbody tr td:first-child").all_inner_texts()

    assert labels == first_cells
    assert labels[0] == "Not yet due"


def test_the_second_clerk_finds_and_confirms_new_bank_details(desk, people):
    clerk = desk("clerk")
    clerk.goto("/vendors/new/")
    clerk.get_by_label(re.compile("^Name")).fill("Bureau Fournitures SA")
    clerk.get_by_label(re.compile("^E-mail")).fill("compta@bureau.example")
    clerk.get_by_label(re.compile("^IBAN")).fill("FR14 2004 1010 0505 0001 3M02 606")
    clerk.get_by_label(re.compile("^BIC")).fill("DEUTDEFFXXX")
    clerk.get_by_role("button", name=re.compile("^(Create|Save)")).click()
    # A German BIC for a French IBAN is refused, naming both countries.
    expect(
        clerk.get_by_text(
            re.compile(r"The BIC is from Germany \(DE\), the IBAN from France \(FR\)")
        )
    ).to_be_visible()
    clerk.get_by_label(re.compile("^BIC")).fill("PSSTFRPPLYO")
    clerk.get_by_role("button", name=re.compile("^(Create|Save)")).click()
    expect(clerk.locator(".messages .info")).to_contain_text(
        "must be confirmed by another AP clerk"
    )
    clerk.goto("/")
    expect(clerk.get_by_text("await your bank-detail confirmation")).to_have_count(0)

    second = desk("clerk2")
    second.goto("/")
    second.get_by_role(
        "link", name="1 vendor awaits your bank-detail confirmation"
    ).click()
    expect(second.get_by_label("Bank details")).to_have_value("awaiting_me")
    second.get_by_role("link", name="Bureau Fournitures SA").click()
    second.get_by_role("button", name=re.compile("confirm$")).click()
    expect(
        second.get_by_text("Bank details of “Bureau Fournitures SA” confirmed.")
    ).to_be_visible()

    second.goto("/")
    expect(
        second.get_by_text("No vendor's new bank details wait for you.")
    ).to_be_visible()
    second.goto("/vendors/?bank_details=awaiting")
    expect(second.get_by_text("No vendor matches these filters.")).to_be_visible()
