"""A filtered list reads a bounded number of index items per request."""

from core import dynamo
from vendors.models import LISTING, Vendor
from vendors.selectors import vendor_list


def test_a_rare_match_is_found_across_pages_without_reading_everything_at_once(
    clerk, vendor_fields, monkeypatch
):
    from vendors.services import vendor_create

    monkeypatch.setattr(dynamo, "FILTERED_PAGE_SIZE", 3)
    monkeypatch.setattr(dynamo, "FILTERED_READ_LIMIT", 6)
    created = [
        vendor_create(
            user=clerk,
            fields={
                **vendor_fields,
                "name": f"Vendor {n}",
                "tax_id": None,
                "status": "active" if n == 0 else "pending",
            },
        )  # fmt: skip
        for n in range(10)
    ]
    found, cursor, requests = [], None, 0
    while True:
        page = dynamo.query_page(
            Vendor.listing_index, LISTING,
            filter_condition=Vendor.status == "active",
            cursor=cursor, limit=2, scope="active",
        )  # fmt: skip
        requests += 1
        found += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    # The oldest vendor is the only active one: newest first, it is read last,
    # over two requests of at most six items each rather than one of ten.
    assert [v.id for v in found] == [created[0].id]
    assert requests == 2
    assert vendor_list(status="pending", limit=20).items  # unfiltered path intact
