"""The proposal's total follows the ticked invoices, with JavaScript or without."""

import re

import pytest
from django.urls import reverse

from payments.selectors import payment_run_get
from tests.conftest import EUR_IBAN_1, TODAY
from tests.payments.credit_notes import matched_credit_note
from tests.payments.test_views import logged_in


def totals_shown(html: str) -> dict[str, str]:
    return dict(
        re.findall(
            r"Total of the ticked invoices \((\w{3})\)</th><td class=\"num\">"
            r"<strong[^>]*>([^<]+)</strong>",
            html,
        )
    )


def ticked(html: str) -> set[str]:
    boxes = re.findall(r'<input type="checkbox" name="invoice_ids"[^>]*>', html)
    return {
        re.search(r'value="([^"]+)"', box).group(1)
        for box in boxes
        if re.search(r"\schecked\b", box)
    }


@pytest.fixture
def proposal(three_vendors, matched_invoice):
    acme, _, globex = three_vendors
    return {
        "a1": matched_invoice(acme, "1000.10"),
        "a2": matched_invoice(acme, "250.25"),
        "g1": matched_invoice(globex, "99.99"),
    }


def submit(client, invoices, *, recalculate: bool, follow=False):
    """Post the proposal with only `invoices` ticked, by either of its buttons."""
    fields = {
        "payment_date": TODAY.isoformat(),
        "currency": "",
        "invoice_ids": [i.id for i in invoices],
        "idempotency_key": f"key-{len(invoices)}-{recalculate}",
    }
    if recalculate:
        fields["recalculate"] = "1"
    return client.post(reverse("payments:create"), fields, follow=follow)


def propose(client):
    return client.get(
        reverse("payments:create"), {"payment_date": TODAY.isoformat(), "currency": ""}
    )


def test_every_invoice_is_ticked_at_first_and_the_total_is_theirs(treasurer, proposal):
    html = propose(logged_in(treasurer)).content.decode()
    assert ticked(html) == {i.id for i in proposal.values()}
    assert totals_shown(html) == {"EUR": "EUR 1,250.35", "USD": "USD 99.99"}


def test_each_checkbox_carries_its_amount_in_whole_cents_for_the_script(
    treasurer, proposal
):
    html = propose(logged_in(treasurer)).content.decode()
    assert 'data-amount-minor="100010"' in html
    assert 'data-amount-minor="25025"' in html
    assert 'data-amount-minor="9999"' in html
    assert 'data-total-currency="EUR" data-places="2"' in html
    assert 'data-decimal-mark="." data-group-mark=","' in html
    assert "js/proposal_total" in html


def test_recalculate_shows_the_ticked_total_and_builds_nothing(treasurer, proposal):
    client = logged_in(treasurer)
    response = submit(client, [proposal["a2"]], recalculate=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert ticked(html) == {proposal["a2"].id}
    assert totals_shown(html) == {"EUR": "EUR 250.25", "USD": "USD 0.00"}
    assert "built with" not in html
    # Building from the recalculated page pays what it shows.
    built = submit(client, [proposal["a2"]], recalculate=False, follow=True)
    assert "built with 1 invoices" in built.content.decode()
    run_id = built.redirect_chain[-1][0].rstrip("/").split("/")[-1]
    (payment,) = payment_run_get(run_id=run_id).payments
    assert str(payment.amount) == "250.25"


def test_the_recalculated_net_transfer_nets_credits_against_the_ticked_invoices(
    treasurer, make_vendor, matched_invoice
):
    acme = make_vendor("Acme Supplies GmbH", iban=EUR_IBAN_1, bic="COBADEFFXXX")
    big = matched_invoice(acme, "1000.00")
    small = matched_invoice(acme, "150.00")
    matched_credit_note(acme, "200.00", number="CN-200")
    client = logged_in(treasurer)
    html = propose(client).content.decode()
    assert totals_shown(html) == {"EUR": "EUR 950.00"}
    assert 'data-open-minor="20000"' in html

    response = submit(client, [small], recalculate=True)
    html = response.content.decode()
    assert ticked(html) == {small.id}
    assert big.id not in ticked(html)
    # The credit covers the small invoice alone: nothing is transferred.
    assert totals_shown(html) == {"EUR": "EUR 0.00"}
    assert "−EUR 150.00" in html
    net = re.search(r"Net transfer to Acme Supplies GmbH(.*?)</tr>", html, re.S).group(
        1
    )
    assert "EUR 0.00" in net
    assert "(settled by credits: no transfer)" in net
    assert " hidden>" not in net
