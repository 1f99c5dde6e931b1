"""
Every main page, for the role that uses it, at a laptop's width (1280 px)
and a tablet's (768 px): text readable (WCAG AA contrast, nothing drawn over
it), the keyboard focus visible, every form field labelled, dates stating
their format, nothing scrolling sideways, no date or number broken over two
lines, the navigation in reach, a list's filter fields on one row or
wrapped without leaving one alone on a row, nothing refused by the
Content-Security-Policy and every chart drawn.

The checks run in the page (tests/browser/page_checks.py); each test reports
every problem of every page at once. A screenshot of each page at each width
is saved as var/test-screenshots/look-<width>-<page>.png (pass or fail), to
look at as a person would.
"""

import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, expect

from dashboard.services import dashboard_refresh
from exchange_rates.services import exchange_rate_create
from invoicing.reconciliation import invoice_reconcile
from invoicing.services import invoice_create
from payments.services import payment_run_create
from purchasing.services import (
    purchase_order_approve,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
    purchase_order_update,
)
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.browser.page_checks import (
    LAPTOP,
    TABLET,
    csp_violations,
    date_format_problems,
    filter_layout_problems,
    page_problems,
    undrawn_charts,
)
from tests.conftest import VALID_VENDOR, make_user
from vendors.services import vendor_bank_details_confirm, vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]


@pytest.fixture
def records(people):
    """
    A little of everything the pages show: a vendor paid on receipt and one
    on payment hold, a sent 3-way PO with a receipt and four invoices
    (matched and in a draft payment run, rejected for its price, waiting to
    be rejected, matched and unpaid), a pending PO and the dashboard's
    figures.
    """
    clerk, requester = people["clerk"], people["requester"]
    today = timezone.localdate()
    acme = vendor_create(
        user=clerk,
        fields={
            **VALID_VENDOR,
            "status": "active",
            "payment_terms": "Due on receipt",
            "iban": "DE89370400440532013000",
            "bic": "COBADEFFXXX",
        },
    )
    vendor_bank_details_confirm(
        vendor_id=acme.id, user=people["clerk2"], version=acme.version
    )
    held = vendor_create(
        user=clerk,
        fields={
            **VALID_VENDOR,
            "name": "Globex Büroservice und Logistik GmbH & Co. KG",
            "tax_id": "DE987654321",
            "status": "active",
            "iban": "DE02120300000000202051",
            "bic": "BYLADEM1001",
        },
    )
    po = purchase_order_create(
        user=requester,
        vendor_id=acme.id,
        match_type="3-way",
        lines=[
            {"description": "Office chairs", "quantity": "10", "unit_price": "400.00"},
            {"description": "Desk lamps", "quantity": "20", "unit_price": "45.00"},
        ],
    )
    purchase_order_approve(po_id=po.id, user=people["approver2"])
    purchase_order_send(po_id=po.id, user=requester)
    purchase_order_receive(po_id=po.id, user=clerk, quantities={1: "10", 2: "20"})

    def invoice(number, line, quantity, price):
        return invoice_create(
            user=clerk,
            po_id=po.id,
            invoice_number=number,
            invoice_date=today,
            lines=[
                {
                    "description": po.items[line - 1].description,
                    "quantity": quantity,
                    "unit_price": price,
                    "po_line_number": line,
                }
            ],
        )

    matched = invoice("F-1001", 1, "10", "400.00")
    invoice_reconcile(invoice_id=matched.id, user=clerk)
    rejected = invoice("F-1002", 2, "10", "52.00")
    invoice_reconcile(invoice_id=rejected.id, user=clerk)
    waiting = invoice("F-1003", 2, "5", "47.00")  # rejected by "Reconcile now"
    pending = purchase_order_create(
        user=requester,
        vendor_id=acme.id,
        lines=[{"description": "Toner", "quantity": "5", "unit_price": "80.00"}],
    )
    run = payment_run_create(user=people["treasurer"], payment_date=today).run
    unpaid = invoice("F-1004", 2, "5", "45.00")  # proposed for the next run
    invoice_reconcile(invoice_id=unpaid.id, user=clerk)
    exchange_rate_create(
        user=make_user("admin", superuser=True), currency="KWD",
        valid_from=today, rate="3.25", source="ECB reference rate",
    )  # fmt: skip
    dashboard_refresh()
    return {
        "vendor": acme,
        "held": held,
        "po": po,
        "pending": pending,
        "matched": matched,
        "rejected": rejected,
        "waiting": waiting,
        "run": run,
        "people": people,
    }


def pages_to_visit(records) -> list[tuple[str, str, object]]:
    """(who, page name, how to reach it: a path or a function of the page)."""
    r = records

    def failed_login(page: Page) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("clerk")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("alert")).to_be_visible()

    def po_not_found(page: Page) -> None:
        page.goto("/invoices/new/")
        page.get_by_label(re.compile("^PO number")).fill("PO-1999-000001")
        page.get_by_role("button", name="Find PO").click()
        expect(page.locator(".errorlist, .form-errors").first).to_be_visible()

    def reconciled_now(page: Page) -> None:
        page.goto(f"/invoices/{r['waiting'].id}/")
        page.get_by_role("button", name="Reconcile now").click()
        expect(page.get_by_role("status")).to_be_visible()

    def bank_details_changed(page: Page) -> None:
        page.goto(f"/vendors/{r['held'].id}/edit/")
        page.get_by_label(re.compile("^BIC")).fill("DEUTDEFFXXX")
        page.get_by_role("button", name=re.compile("^Save")).click()
        expect(page.locator(".messages .info")).to_be_visible()

    def approval_refused(page: Page) -> None:
        """The requester edits the PO while the approver reads it."""
        page.goto(f"/purchase-orders/{r['pending'].id}/")
        purchase_order_update(
            po_id=r["pending"].id, user=r["people"]["requester"], notes="Two boxes."
        )
        page.get_by_role("button", name=re.compile("^Approve")).click()
        expect(page.locator(".messages .error")).to_be_visible()

    def run_proposal(page: Page) -> None:
        page.goto("/payment-runs/new/")
        page.get_by_role("button", name="Propose invoices").click()
        expect(page.get_by_role("button", name="Build the run")).to_be_visible()

    return [
        ("anonymous", "login", "/accounts/login/"),
        ("anonymous", "login-refused", failed_login),
        ("clerk", "dashboard", "/"),
        ("clerk", "vendor-list", "/vendors/"),
        ("clerk", "vendor-detail", f"/vendors/{r['vendor'].id}/"),
        ("clerk", "vendor-detail-on-hold", f"/vendors/{r['held'].id}/"),
        ("clerk", "vendor-form", "/vendors/new/"),
        ("clerk", "po-list", "/purchase-orders/"),
        ("clerk", "po-detail", f"/purchase-orders/{r['po'].id}/"),
        ("clerk", "invoice-list", "/invoices/"),
        ("clerk", "invoice-exceptions", "/invoices/exceptions/"),
        ("clerk", "invoice-detail-matched", f"/invoices/{r['matched'].id}/"),
        ("clerk", "invoice-detail-rejected", f"/invoices/{r['rejected'].id}/"),
        ("clerk", "invoice-choose-po", po_not_found),
        ("clerk", "invoice-form", f"/invoices/new/?po={r['po'].id}"),
        ("clerk", "invoice-reconciled-now", reconciled_now),
        ("clerk", "einvoice-inbox-empty", "/invoices/inbox/"),
        ("clerk", "einvoice-import", "/invoices/inbox/import/"),
        ("clerk", "vendor-saved", bank_details_changed),
        ("clerk", "search", "/search/?q=f-100"),
        ("clerk", "profile", "/accounts/profile/"),
        ("requester", "po-form", "/purchase-orders/new/"),
        ("requester", "po-list-own", "/purchase-orders/"),
        ("approver", "po-awaiting", "/purchase-orders/awaiting-approval/"),
        ("approver", "po-detail-to-approve", f"/purchase-orders/{r['pending'].id}/"),
        ("approver", "po-approval-refused", approval_refused),
        ("approver", "two-factor", "/accounts/profile/two-factor/"),
        ("approver", "two-factor-enrol", "/accounts/profile/two-factor/?replace=1"),
        ("treasurer", "run-list", "/payment-runs/"),
        ("treasurer", "run-detail", f"/payment-runs/{r['run'].id}/"),
        ("treasurer", "run-proposal", run_proposal),
        ("auditor", "audit-trail", "/audit/"),
        ("auditor", "audit-history", f"/audit/purchase_order/{r['po'].id}/"),
        ("auditor", "exchange-rates", "/exchange-rates/"),
    ]


def visit_every_page(browser_pages, records, viewport, check) -> dict[str, list]:
    """Open each page as its user at this size; `check(page)` lists its problems."""
    problems = {}
    for who, name, reach in pages_to_visit(records):
        page = browser_pages.pages.get(who)
        if page is None:
            page = browser_pages.open(who)
            if who != "anonymous":
                log_in(page, who)
        browser_pages.last_used = who
        page.set_viewport_size(viewport)
        if callable(reach):
            reach(page)
        else:
            page.goto(reach)
        page.wait_for_load_state("networkidle")
        found = [
            f"{problem} (×{count})" if count > 1 else problem
            for problem, count in Counter(check(page)).items()
        ]
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=SCREENSHOTS / f"look-{viewport['width']}-{name}.png", full_page=True
        )
        if found:
            problems[f"{who} on {name} ({page.url})"] = found
    return problems


def report(problems: dict[str, list]) -> str:
    return "\n".join(
        f"{where}:\n" + "\n".join(f"  - {p}" for p in found)
        for where, found in problems.items()
    )


@pytest.mark.parametrize("viewport", [LAPTOP, TABLET], ids=["laptop", "tablet"])
def test_every_page_is_readable_usable_by_keyboard_and_fits_the_screen(
    browser_pages, records, viewport
):
    def check(page: Page) -> list[str]:
        also = (
            date_format_problems,
            filter_layout_problems,
            csp_violations,
            undrawn_charts,
        )
        return page_problems(page, viewport, also=also)

    problems = visit_every_page(browser_pages, records, viewport, check)
    assert not problems, "\n" + report(problems)


def test_the_api_docs_and_the_admin_break_no_content_security_policy(
    browser_pages, records
):
    """
    Issue 13 item 11: the CSP refuses inline scripts and styles; no page,
    htmx swap, dashboard chart, the API docs or the admin needs one. The
    app's own pages are checked for it at both widths above; these are the
    pages no role's visit reaches.
    """
    admin = get_user_model().objects.get(username="admin")  # entered the rate
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])

    def check(page: Page) -> list[str]:
        return csp_violations(page) + undrawn_charts(page)

    problems = {}
    for who, path, ready in (
        ("clerk", "/", "canvas[data-chart]"),
        ("clerk", "/docs", "#swagger-ui .info"),
        ("admin", "/admin/", "#content-main"),
        ("admin", "/admin/accounts/apitoken/add/", "#content-main"),
        ("admin", "/admin/auth/user/", "#changelist"),
        ("admin", f"/admin/records/vendors/{records['vendor'].id}/", "#content-main"),
    ):
        page = browser_pages.pages.get(who)
        if page is None:
            page = browser_pages.open(who)
            log_in(page, who)
        page.goto(path)
        expect(page.locator(ready).first).to_be_visible()
        page.wait_for_load_state("networkidle")
        if found := check(page):
            problems[f"{who} on {path}"] = found
    assert not problems, "\n" + report(problems)
