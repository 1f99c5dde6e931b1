import re
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from audit.selectors import audit_history
from purchasing.selectors import purchase_order_get, purchase_order_list
from purchasing.services import purchase_order_approve
from tests.conftest import HTMX, htmx_fragment, htmx_next_page, make_user, whole_page


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def po_form(vendor_id, lines, **extra):
    data = {
        "vendor_id": vendor_id,
        "currency": "",
        "match_type": "2-way",
        "expected_delivery": "",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, (description, quantity, price) in enumerate(lines):
        data[f"lines-{index}-description"] = description
        data[f"lines-{index}-quantity"] = quantity
        data[f"lines-{index}-unit_price"] = price
    data.update(extra)
    return data


def test_requester_raises_a_po_through_the_form(requester, active_vendor):
    response = logged_in(requester).post(
        reverse("purchasing:create"),
        po_form(
            active_vendor.id,
            [("Chairs", "20", "250.00"), ("", "", ""), ("Lamps", "10", "100.00")],
        ),
        follow=True,
    )
    html = response.content.decode()
    (po,) = purchase_order_list().items
    assert f"{po.po_number} raised; it now awaits approval." in html
    assert po.total_amount == Decimal("6000.00")
    assert [line.description for line in po.items] == [
        "Chairs",
        "Lamps",
    ]  # blank line ignored
    assert "EUR 6,000.00" in html and "0 of 2" in html


def test_line_errors_show_beside_the_line_and_nothing_is_saved(
    requester, active_vendor
):
    response = logged_in(requester).post(
        reverse("purchasing:create"),
        po_form(
            active_vendor.id, [("Chairs", "-2", "250.00"), ("Lamps", "1", "1.005")]
        ),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Quantity must be more than 0." in html
    assert "more than 2 decimal places for EUR" in html
    assert 'value="Chairs"' in html  # the lines typed are kept
    assert purchase_order_list().items == []


def test_add_line_button_adds_a_row_without_saving(requester, active_vendor):
    response = logged_in(requester).post(
        reverse("purchasing:create"),
        po_form(active_vendor.id, [("Chairs", "2", "250.00")], add_line="1"),
    )
    assert response.status_code == 200
    assert 'name="lines-1-description"' in response.content.decode()
    assert purchase_order_list().items == []


def test_htmx_add_line_gets_the_lines_alone_a_plain_request_the_page(
    requester, active_vendor, make_po
):
    client = logged_in(requester)
    typed = po_form(active_vendor.id, [("Chairs", "2", "250.00")], add_line="1")
    swapped = client.post(reverse("purchasing:create"), typed, headers=HTMX)
    plain = client.post(reverse("purchasing:create"), typed)
    po = make_po()
    editing = po_form(
        active_vendor.id, [(line.description, "1", "1.00") for line in po.items],
        add_line="1", version=str(po.version),
    )  # fmt: skip
    edit_url = reverse("purchasing:edit", args=[po.id])
    swapped_edit = client.post(edit_url, editing, headers=HTMX)

    for response in (swapped, swapped_edit):
        assert response.status_code == 200
    html = htmx_fragment(swapped, region="po-lines")
    assert 'value="Chairs"' in html and 'name="lines-1-description"' in html
    assert 'name="lines-TOTAL_FORMS" value="2"' in html
    assert 'name="vendor_id"' not in html  # the rest of the form stays as typed
    page = whole_page(plain, region="po-lines")
    assert 'name="lines-1-description"' in page and 'name="vendor_id"' in page
    html = htmx_fragment(swapped_edit, region="po-lines")
    assert 'name="lines-2-description"' in html and 'value="Item 2"' in html
    saved = purchase_order_list().items  # nothing raised, nothing edited
    assert [(p.id, p.version) for p in saved] == [(po.id, po.version)]


def test_removed_lines_are_left_out(requester, active_vendor):
    logged_in(requester).post(
        reverse("purchasing:create"),
        po_form(
            active_vendor.id,
            [("Chairs", "2", "250.00"), ("Lamps", "1", "10.00")],
            **{"lines-1-DELETE": "on"},
        ),
    )
    (po,) = purchase_order_list().items
    assert [line.description for line in po.items] == ["Chairs"]


def test_approver_sees_the_approve_button_requester_sees_why_not(
    make_po, requester, approver, clerk
):
    po = make_po()
    url = reverse("purchasing:detail", args=[po.id])
    approver_html = logged_in(approver).get(url).content.decode()
    assert "Approve EUR 1,100.00</button>" in approver_html
    assert "Reason for rejecting" in approver_html
    requester_html = logged_in(requester).get(url).content.decode()
    assert "Approve EUR" not in requester_html
    assert "You raised this PO, so someone else must approve it." in requester_html
    assert ">Edit</a>" in requester_html and "Delete…" in requester_html
    clerk_html = logged_in(clerk).get(url).content.decode()
    assert "Approve EUR" not in clerk_html and ">Edit</a>" not in clerk_html
    assert "Record receipt" not in clerk_html  # not approved yet


def test_two_approvals_through_the_pages(make_po, approver, approver2):
    po = make_po(("60", "100.00"))
    url = reverse("purchasing:approve", args=[po.id])
    first = logged_in(approver).post(url, {"version": po.version}, follow=True)
    assert "(1 of 2); it awaits another approver" in first.content.decode()
    second = logged_in(approver2).post(url, {"version": po.version}, follow=True)
    assert f"{po.po_number} approved." in second.content.decode()
    assert purchase_order_get(po_id=po.id).status == "approved"


def test_refused_approval_says_which_rule_refused_it(make_po, approver):
    po = make_po(("120", "100.00"))
    response = logged_in(approver).post(
        reverse("purchasing:approve", args=[po.id]),
        {"version": po.version},
        follow=True,
    )
    assert "above your approval limit of EUR 10,000.00" in response.content.decode()
    assert purchase_order_get(po_id=po.id).approvals == []


def test_reject_without_a_reason_is_refused_with_a_message(make_po, approver):
    po = make_po()
    response = logged_in(approver).post(
        reverse("purchasing:reject", args=[po.id]),
        {"version": po.version, "reason": ""},
        follow=True,
    )
    assert "Give a reason for a rejection." in response.content.decode()
    assert purchase_order_get(po_id=po.id).status == "pending"


def test_clerk_records_a_partial_receipt_and_sees_received_vs_ordered(
    make_po, approver, clerk
):
    po = make_po()
    purchase_order_approve(po_id=po.id, user=approver)
    client = logged_in(clerk)
    url = reverse("purchasing:receive", args=[po.id])
    form = client.get(url).content.decode()
    assert "Ordered 10, received 0, outstanding 10." in form
    response = client.post(
        url,
        {"line_1": "4", "line_2": "", "received_on": "2026-01-05", "version": "2"},
        follow=True,
    )
    html = response.content.decode()
    assert "Receipt recorded on" in html
    assert "4 of 10" in html and "0 of 5" in html
    too_many = client.post(
        url, {"line_1": "7", "received_on": "2026-01-05", "version": "3"}
    )
    assert too_many.status_code == 422
    assert "would exceed the ordered 10" in too_many.content.decode()


def test_edit_form_is_prefilled_and_saves_new_lines(make_po, requester):
    po = make_po()
    client = logged_in(requester)
    url = reverse("purchasing:edit", args=[po.id])
    html = client.get(url).content.decode()
    assert 'value="Item 1"' in html and 'value="100.00"' in html
    response = client.post(
        url,
        po_form(po.vendor_id, [("Item 1", "10", "100.00")], version=str(po.version)),
        follow=True,
    )
    assert f"{po.po_number} saved." in response.content.decode()
    assert purchase_order_get(po_id=po.id).total_amount == Decimal("1000.00")


def test_delete_asks_for_confirmation(make_po, requester):
    po = make_po()
    client = logged_in(requester)
    assert (
        f"Delete {po.po_number}?"
        in client.get(reverse("purchasing:delete", args=[po.id])).content.decode()
    )
    client.post(reverse("purchasing:delete", args=[po.id]), {"version": "1"})
    assert purchase_order_get(po_id=po.id) is None
    gone = client.get(reverse("purchasing:detail", args=[po.id]))
    assert gone.status_code == 404
    assert f"Purchase order {po.po_number} was deleted on " in gone.content.decode()
    history_url = reverse("audit:entity-history", args=["purchase_order", po.id])
    assert f'href="{history_url}"' in gone.content.decode()


def test_awaiting_queue_lists_only_what_this_approver_may_approve(
    make_po, approver, approver2
):
    small, big = make_po(), make_po(("120", "100.00"))
    html = logged_in(approver).get(reverse("purchasing:awaiting")).content.decode()
    assert small.po_number in html and big.po_number not in html
    purchase_order_approve(po_id=small.id, user=approver)
    html = logged_in(approver).get(reverse("purchasing:awaiting")).content.decode()
    assert "Nothing awaits your approval." in html
    html2 = logged_in(approver2).get(reverse("purchasing:awaiting")).content.decode()
    assert big.po_number in html2


def test_list_filters_and_vendor_page_lists_its_pos(make_po, requester, active_vendor):
    po = make_po()
    client = logged_in(requester)
    html = client.get(
        reverse("purchasing:list"), {"status": "approved"}
    ).content.decode()
    assert "No purchase order matches these filters." in html
    html = client.get(
        reverse("purchasing:list"), {"vendor": active_vendor.id}
    ).content.decode()
    assert po.po_number in html and "of Acme Supplies GmbH" in html
    vendor_html = client.get(
        reverse("vendors:detail", args=[active_vendor.id])
    ).content.decode()
    assert po.po_number in vendor_html
    bad = client.get(
        reverse("purchasing:list"),
        {"created_from": "2026-02-01", "created_to": "2026-01-01"},
    )
    assert "The end date is before the start date." in bad.content.decode()


def test_htmx_filters_and_pages_get_the_po_list_alone_a_plain_request_the_page(
    make_po, requester, approver, settings
):
    settings.PAGE_SIZE = 1
    older, newer = make_po(), make_po()
    purchase_order_approve(po_id=older.id, user=approver)
    client = logged_in(requester)
    url = reverse("purchasing:list")
    pending = client.get(url, {"status": "pending"}, headers=HTMX)
    html = htmx_fragment(pending, region="purchase-order-list")
    assert newer.po_number in html and older.po_number not in html
    first = htmx_fragment(client.get(url, headers=HTMX), region="purchase-order-list")
    assert newer.po_number in first and older.po_number not in first
    second = client.get(htmx_next_page(url, first), headers=HTMX)
    html = htmx_fragment(second, region="purchase-order-list")
    assert older.po_number in html and newer.po_number not in html
    page = whole_page(
        client.get(url, {"status": "pending"}), region="purchase-order-list"
    )
    assert newer.po_number in page and "New purchase order" in page


def test_po_history_shows_each_step_with_its_user(make_po, approver, clerk):
    po = make_po()
    purchase_order_approve(po_id=po.id, user=approver)
    html = (
        logged_in(clerk)
        .get(reverse("purchasing:detail", args=[po.id]))
        .content.decode()
    )
    history = html.split("<h2>History</h2>")[1]
    assert re.search(r"approver</td>\s*<td>APPROVE", history)
    assert re.search(r"requester</td>\s*<td>CREATE", history)
    assert len(audit_history(entity_type="purchase_order", entity_id=po.id).items) == 2


def test_unknown_po_is_404_and_user_without_role_is_refused(db, nobody):
    client = logged_in(make_user("someone", "Auditor"))
    assert client.get(reverse("purchasing:detail", args=["missing"])).status_code == 404
    assert logged_in(nobody).get(reverse("purchasing:list")).status_code == 403


def test_the_po_number_sequence_kept_in_the_table_is_not_a_po(make_po, auditor):
    po = make_po()
    sequence_id = f"sequence#{po.po_number.rsplit('-', 1)[0]}"
    response = logged_in(auditor).get(reverse("purchasing:detail", args=[sequence_id]))
    assert response.status_code == 404


# --- hostile and unlucky input (issue 13) ---------------------------------------


def test_po_form_with_a_huge_exponent_shows_a_field_message_not_a_500(
    requester, active_vendor
):
    response = logged_in(requester).post(
        reverse("purchasing:create"),
        po_form(active_vendor.id, [("Paper", "1e1000000", "5.00")]),
    )

    assert response.status_code == 422
    assert "quantity is too large." in response.content.decode()
    assert purchase_order_list().items == []


def test_po_form_refuses_a_quantity_padded_with_no_break_spaces(
    requester, active_vendor
):
    response = logged_in(requester).post(
        reverse("purchasing:create"),
        po_form(active_vendor.id, [("Paper", "\xa02\xa0", "5.00")]),
    )

    assert response.status_code == 422
    assert "Use 1,234.56 — your number format" in response.content.decode()
    assert purchase_order_list().items == []


def test_receipt_form_with_a_huge_exponent_shows_a_field_message(
    make_po, approver, clerk
):
    po = make_po()
    purchase_order_approve(po_id=po.id, user=approver)

    response = logged_in(clerk).post(
        reverse("purchasing:receive", args=[po.id]),
        {"line_1": "1e1000000", "received_on": "2026-01-05", "version": "2"},
    )

    assert response.status_code == 422
    assert "quantity is too large." in response.content.decode()
    assert purchase_order_get(po_id=po.id).receipts == []


def test_formset_announcing_99999999_lines_is_refused_before_any_is_built(
    requester, active_vendor, monkeypatch
):
    from core import forms as core_forms

    built = []
    original = core_forms.PricedLineForm.__init__

    def counting_init(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(core_forms.PricedLineForm, "__init__", counting_init)
    data = po_form(active_vendor.id, [("Paper", "1", "5.00")])
    data["lines-TOTAL_FORMS"] = "99999999"

    response = logged_in(requester).post(reverse("purchasing:create"), data)

    assert response.status_code == 422
    assert "At most 200 lines can be sent at once." in response.content.decode()
    assert len(built) <= 1  # the empty form the template may show, never 200
    assert purchase_order_list().items == []


def test_list_with_an_invalid_filter_says_so_instead_of_listing_every_po(
    make_po, requester
):
    po = make_po()
    client = logged_in(requester)

    bad_status = client.get(reverse("purchasing:list") + "?status=bogus")
    unknown_vendor = client.get(reverse("purchasing:list") + "?vendor=nope")

    assert bad_status.status_code == 400
    assert "Select a valid choice" in bad_status.content.decode()
    assert po.po_number not in bad_status.content.decode()
    assert unknown_vendor.status_code == 400
    assert "No vendor has the id in this link" in unknown_vendor.content.decode()
    assert po.po_number not in unknown_vendor.content.decode()
