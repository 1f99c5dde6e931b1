"""A payment run is found by its number through the header's search."""

from django.test import Client
from django.urls import reverse

from payments import services
from tests.conftest import TODAY


def test_a_payment_run_is_found_by_its_number_and_its_start(
    treasurer, make_vendor, matched_invoice, auditor
):
    acme = make_vendor("Acme Supplies GmbH", iban="DE89370400440532013000")
    matched_invoice(acme, "1000.00")
    run = services.payment_run_create(user=treasurer, payment_date=TODAY).run
    client = Client()
    client.force_login(auditor)
    detail = f'href="{reverse("payments:detail", args=[run.id])}"'

    exact = client.get(reverse("search"), {"q": run.number.lower()}).content.decode()
    assert detail in exact and "Exact match" in exact
    start = client.get(reverse("search"), {"q": run.number[:11]}).content.decode()
    assert detail in start and "Exact match" not in start
