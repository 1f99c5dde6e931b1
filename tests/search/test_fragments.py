"""
The header's search finds records by a word inside a name or a part of a
number (issue 14, item 8), through the search-token table written in each
record's own transaction, never a scan.
"""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from pynamodb.connection import Connection

from core import dynamo
from core.errors import ApplicationError
from core.models import SearchToken
from core.search_index import MAX_ACCOUNTS, MAX_TERMS
from invoicing.services import invoice_create
from payments import services as payment_services
from purchasing.services import purchase_order_approve
from tests.conftest import TODAY, VALID_VENDOR, po_lines
from tests.search.test_search import found, link, search
from vendors.services import vendor_create, vendor_delete, vendor_update

YEAR = dt.date.today().year
IBAN = "DE89370400440532013000"
IBAN_SPACED = "DE89 3704 0044 0532 0130 00"


@pytest.fixture
def no_scans(monkeypatch):
    """Search reads indexes only: a table scan fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("search scanned a table")

    monkeypatch.setattr(Connection, "scan", refuse)


def stored_tokens() -> set[tuple[str, str]]:
    """Every item of the token table, read behind PynamoDB's back (no_scans)."""
    client = dynamo.boto3_client()
    items, start = [], {}
    while True:
        page = client.scan(TableName=SearchToken.Meta.table_name, **start)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
    return {(item["shard"]["S"], item["term_id"]["S"]) for item in items}


def tokens_of(record) -> set[tuple[str, str]]:
    return {
        (token.shard, token.term_id)
        for token in SearchToken.of(
            record.SEARCH_KIND, record.id, record.search_terms()
        )
    }


def missing(response, *texts):
    html = response.content.decode()
    assert response.status_code == 200
    assert [text for text in texts if text in html] == []


def new_vendor(clerk, name, **fields):
    return vendor_create(
        user=clerk, fields={**VALID_VENDOR, "tax_id": None, "name": name, **fields}
    )


def test_a_po_is_found_by_any_fragment_of_its_number(make_po, auditor, no_scans):
    first, *_, fourth = [make_po() for _ in range(4)]
    assert fourth.po_number == f"PO-{YEAR}-000004"
    for text in (f"PO-{YEAR}-4", "po 4", "4", "000004", f"{YEAR}-4", "PO 4"):
        response = search(auditor, text)
        found(response, link("purchasing:detail", fourth.id))
        missing(response, link("purchasing:detail", first.id))
    # The same number, leading zeros aside, is the exact match.
    found(search(auditor, f"po-{YEAR}-4"), "Exact match")
    missing(search(auditor, "po 4"), "Exact match")


def test_an_invoice_is_found_by_the_end_of_its_number(
    make_po, approver, clerk, auditor, no_scans
):
    po = make_po()
    purchase_order_approve(po_id=po.id, user=approver)
    invoice = invoice_create(
        user=clerk,
        po_id=po.id,
        invoice_number="RW-2026-1002",
        invoice_date=TODAY,
        lines=po_lines(("10", "100.00"), ("5", "20.00")),
    )
    for text in ("1002", "rw 1002", "2026-1002", "RW-2026-1002"):
        found(search(auditor, text), link("invoicing:detail", invoice.id))


def test_a_vendor_is_found_by_a_word_inside_its_name_accents_folded(
    clerk, auditor, no_scans
):
    tools = new_vendor(clerk, "Müller Werkzeuge GmbH")
    office = new_vendor(clerk, "Schreib- und Bürobedarf Schmidt KG")
    for text in ("Werkzeuge", "werkz", "MULLER", "mueller", "müller werkz"):
        response = search(auditor, text)
        found(response, link("vendors:detail", tools.id), "Müller Werkzeuge GmbH")
        missing(response, link("vendors:detail", office.id))
    for text in ("Bürobedarf", "burobedarf", "buerobedarf", "schmidt buro"):
        response = search(auditor, text)
        found(response, link("vendors:detail", office.id))
        missing(response, link("vendors:detail", tools.id))
    missing(search(auditor, "werkzeuge schmidt"), link("vendors:detail", tools.id))


def test_a_vendor_is_found_by_its_tax_id_with_or_without_spaces(
    clerk, auditor, no_scans
):
    vendor = new_vendor(clerk, "Acme Supplies GmbH", tax_id="DE123456789")
    for text in ("DE123456789", "de 123 456 789", "DE-123.456.789", "123456789"):
        found(search(auditor, text), link("vendors:detail", vendor.id), "(its tax id)")
    found(search(auditor, "DE 1234"), link("vendors:detail", vendor.id))


def test_a_vendor_is_found_by_its_whole_iban_by_those_who_see_bank_details(
    clerk, auditor, requester, no_scans
):
    vendor = new_vendor(clerk, "Acme Supplies GmbH", iban=IBAN_SPACED)
    for user in (clerk, auditor):
        for text in (IBAN, IBAN_SPACED, IBAN.lower()):
            found(
                search(user, text),
                link("vendors:detail", vendor.id),
                "(its bank account)",
            )
    # Its start finds nothing, so the page cannot be asked digit by digit; a
    # Requester sees only an account's last four characters, so finds nothing.
    missing(search(clerk, "DE89 3704 0044"), link("vendors:detail", vendor.id))
    missing(search(requester, IBAN), link("vendors:detail", vendor.id))


def test_a_payment_run_is_found_by_the_parts_of_its_number(
    treasurer, auditor, three_vendors, matched_invoice
):
    matched_invoice(three_vendors[0], "1000.00")
    run = payment_services.payment_run_create(user=treasurer, payment_date=TODAY).run
    suffix = run.number.rsplit("-", 1)[1]  # PR-20260315-AB12CD
    for text in (suffix.lower(), f"pr {suffix}"):
        found(search(auditor, text), link("payments:detail", run.id))


def test_a_renamed_vendor_is_found_by_its_new_words_only(clerk, auditor, no_scans):
    vendor = new_vendor(clerk, "Müller Werkzeuge GmbH")
    old = tokens_of(vendor)
    renamed = vendor_update(
        vendor_id=vendor.id, user=clerk, changes={"name": "Müller Maschinenbau GmbH"}
    )
    missing(search(auditor, "werkzeuge"), link("vendors:detail", vendor.id))
    found(search(auditor, "maschinen"), link("vendors:detail", vendor.id))
    assert stored_tokens() == tokens_of(renamed) != old


def test_an_edit_leaving_name_and_number_alone_writes_no_token(clerk, no_scans):
    vendor = new_vendor(clerk, "Müller Werkzeuge GmbH")
    before = stored_tokens()
    vendor_update(vendor_id=vendor.id, user=clerk, changes={"phone": "+49 30 7654321"})
    assert stored_tokens() == before == tokens_of(vendor)


def test_a_deleted_vendor_leaves_no_token(clerk, auditor, no_scans):
    vendor = new_vendor(clerk, "Müller Werkzeuge GmbH")
    vendor_delete(vendor_id=vendor.id, user=clerk)
    assert stored_tokens() == set()
    missing(search(auditor, "werkzeuge"), link("vendors:detail", vendor.id))


def test_a_refused_write_leaves_no_token(make_po, approver, clerk):
    po = make_po()
    purchase_order_approve(po_id=po.id, user=approver)
    enter = dict(
        user=clerk,
        po_id=po.id,
        invoice_date=TODAY,
        lines=po_lines(("10", "100.00"), ("5", "20.00")),
    )
    invoice = invoice_create(invoice_number="RW-1002", **enter)
    with pytest.raises(ApplicationError, match="already entered"):
        invoice_create(invoice_number="rw 1002 ", **enter)
    invoice_tokens = {key for key in stored_tokens() if key[0].startswith("invoices")}
    assert invoice_tokens == tokens_of(invoice)


def test_a_long_name_writes_a_bounded_number_of_tokens(clerk, auditor):
    words = [f"Word{chr(97 + i)}" for i in range(26)]
    vendor = new_vendor(clerk, " ".join(words), tax_id="DE123456789", iban=IBAN)
    count = len(stored_tokens())
    assert count == MAX_TERMS + 1 <= MAX_TERMS + MAX_ACCOUNTS
    found(search(auditor, "worda"), link("vendors:detail", vendor.id))
    found(search(auditor, "DE123456789"), link("vendors:detail", vendor.id))


def test_index_search_backfills_tokens_and_deletes_stale_ones(clerk, make_po, auditor):
    vendor = new_vendor(clerk, "Müller Werkzeuge GmbH")
    po = make_po()
    expected = stored_tokens()
    client = dynamo.boto3_client()
    for shard, term_id in expected:  # as if stored before the table existed
        client.delete_item(
            TableName=SearchToken.Meta.table_name,
            Key={"shard": {"S": shard}, "term_id": {"S": term_id}},
        )
    stale = SearchToken("vendors#z", f"zange#{vendor.id}", record_id=vendor.id)
    stale.save()
    missing(search(auditor, "werkzeuge"), link("vendors:detail", vendor.id))

    out = StringIO()
    call_command("index_search", "--dry-run", stdout=out)
    records = 1 + 1 + 1  # the vendor, make_po's active vendor and the PO
    assert out.getvalue().strip() == (
        f"{records} record(s) read: {len(expected)} search token(s) would be "
        "added, 1 would be deleted."
    )
    assert stored_tokens() == {(stale.shard, stale.term_id)}

    call_command("index_search", stdout=out)
    assert stored_tokens() == expected
    found(search(auditor, "werkzeuge"), link("vendors:detail", vendor.id))
    found(
        search(auditor, po.po_number.rsplit("-", 1)[1]),
        link("purchasing:detail", po.id),
    )
    call_command("index_search", stdout=(again := StringIO()))
    assert "0 search token(s) were added, 0 were deleted." in again.getvalue()
