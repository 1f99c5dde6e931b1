"""A reconciliation run that wrote something anchors it in an audit digest."""

import datetime as dt
import logging

from audit.digest_store import digest_store
from audit.digests import digest_parse
from audit.entries import entity_key
from invoicing.jobs import reconcile_waiting_invoices
from invoicing.services import invoice_create
from tests.audit.digest_helpers import signing_configured


def enter(clerk, po, number):
    return invoice_create(
        user=clerk,
        po_id=po.id,
        invoice_number=number,
        invoice_date=dt.date.today().isoformat(),
        lines=[{"description": "Item", "quantity": "10", "unit_price": "100.00"}],
    )


def test_a_run_that_wrote_writes_a_digest_when_a_key_is_configured(
    clerk, approved_po, settings, tmp_path
):
    signing_configured(settings, tmp_path)
    invoice = enter(clerk, approved_po, "INV-1")
    stats = reconcile_waiting_invoices(workers=1)
    assert stats.processed == 1
    written = digest_parse(digest_store().latest().body)
    assert written.number == 1
    assert entity_key("invoice", invoice.id) in {
        leaf.entity_key for leaf in written.leaves
    }


def test_without_a_signing_key_the_run_writes_no_digest_and_says_so(
    clerk, approved_po, settings, tmp_path, caplog
):
    settings.AUDIT_DIGEST_SIGNING_KEY = settings.AUDIT_DIGEST_KMS_KEY_ID = ""
    settings.AUDIT_DIGEST_LOCATION = str(tmp_path)
    enter(clerk, approved_po, "INV-1")
    with caplog.at_level(logging.INFO, logger="audit.digests"):
        assert reconcile_waiting_invoices(workers=1).processed == 1
    assert digest_store().numbers() == []
    assert "no audit digest written: no signing key is configured" in caplog.text
