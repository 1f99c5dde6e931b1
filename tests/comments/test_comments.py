"""Comment threads on invoices, POs and payment runs (issue 15): service, pages, API."""

import pytest
from django.test import Client

from audit.selectors import audit_history
from comments.mentions import mentioned_names
from comments.models import MAX_COMMENT_LENGTH
from comments.selectors import comment_list
from comments.services import comment_add
from core.errors import NotFound, PermissionDenied, ValidationFailed
from payments.services import payment_run_create
from tests.api_client import bearer, send
from tests.conftest import TODAY


@pytest.fixture
def invoice(three_vendors, matched_invoice):
    return matched_invoice(three_vendors[0])


@pytest.fixture
def records(invoice, treasurer):
    """One record of each kind with a thread: (entity_type, id, page, api path)."""
    run = payment_run_create(user=treasurer, payment_date=TODAY).run
    return [
        ("invoice", invoice.id, f"/invoices/{invoice.id}/", "invoices"),
        (
            "purchase_order",
            invoice.po_id,
            f"/purchase-orders/{invoice.po_id}/",
            "purchase-orders",
        ),
        ("payment_run", run.id, f"/payment-runs/{run.id}/", "payment-runs"),
    ]


def thread(response) -> str:
    """The comment thread of a record's page (its history shows comments too)."""
    html = response.content.decode()
    return html[html.index('<section id="comments"') :].split("</section>")[0]


def test_mentions_are_names_after_an_at_sign_not_e_mail_addresses():
    text = "Ask @approver. and @clerk2, not ap@example.com; @approver again"
    assert mentioned_names(text) == ["approver", "clerk2"]


def test_a_comment_is_written_with_its_audit_entry_on_the_records_trail(invoice, clerk):
    comment = comment_add(
        entity_type="invoice", record_id=invoice.id, user=clerk, text=" Price? "
    )
    [stored] = comment_list(entity_type="invoice", record_id=invoice.id).items
    assert (stored.id, stored.author, stored.text) == (comment.id, "clerk", "Price?")
    [entry] = [
        e
        for e in audit_history(entity_type="invoice", entity_id=invoice.id).items
        if e.action == "COMMENT"
    ]
    assert entry.user_id == "clerk" and entry.details["text"] == "Price?"
    assert entry.label == f"{invoice.invoice_number} · {invoice.vendor_name}"


def test_a_mention_e_mails_the_user_and_unknown_names_stay_text(
    invoice, clerk, approver, mailoutbox
):
    mailoutbox.clear()  # the fixtures' own e-mails
    comment = comment_add(
        entity_type="invoice",
        record_id=invoice.id,
        user=clerk,
        text="@approver please accept; @nobody-here knows, @clerk too",
    )
    assert comment.mentions == ["approver"]  # the author is not told
    [mail] = mailoutbox
    assert mail.to == ["approver@example.com"]
    assert (
        mail.subject
        == f"clerk mentioned you on {invoice.invoice_number} · Acme Supplies GmbH"
    )
    assert "@approver please accept" in mail.body
    assert f"/invoices/{invoice.id}/" in mail.body


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write the comment first"),
        ("   ", "Write the comment first"),
        ("x" * (MAX_COMMENT_LENGTH + 1), f"At most {MAX_COMMENT_LENGTH} characters"),
        ("bad \x00 byte", "control character"),
    ],
)
def test_bad_comments_are_refused_and_nothing_is_written(invoice, clerk, text, message):
    with pytest.raises(ValidationFailed) as refused:
        comment_add(entity_type="invoice", record_id=invoice.id, user=clerk, text=text)
    assert message in refused.value.field_errors["text"]
    assert comment_list(entity_type="invoice", record_id=invoice.id).items == []


def test_an_auditor_reads_but_does_not_comment(invoice, auditor):
    with pytest.raises(PermissionDenied):
        comment_add(entity_type="invoice", record_id=invoice.id, user=auditor, text="x")


def test_a_comment_on_no_record_is_a_404(clerk):
    with pytest.raises(NotFound):
        comment_add(entity_type="invoice", record_id="missing", user=clerk, text="x")


def test_the_thread_pages_through_the_record_index(invoice, clerk, monkeypatch):
    from comments import views

    monkeypatch.setattr(views, "THREAD_PAGE_SIZE", 2)
    for n in range(3):
        comment_add(
            entity_type="invoice", record_id=invoice.id, user=clerk, text=f"note {n}"
        )
    client = Client()
    client.force_login(clerk)
    page = thread(client.get(f"/invoices/{invoice.id}/"))
    assert "note 0" in page and "note 1" in page and "note 2" not in page
    later = page.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    page = thread(client.get(f"/invoices/{invoice.id}/{later.replace('&amp;', '&')}"))
    assert "note 2" in page and "note 0" not in page


def test_every_record_page_shows_and_takes_comments_escaped(records, clerk, auditor):
    client = Client()
    client.force_login(clerk)
    for entity_type, record_id, page, _ in records:
        response = client.post(
            f"/comments/{entity_type}/{record_id}/",
            {"text": f"<script>x</script> on {entity_type}"},
        )
        assert response.status_code == 302
        assert response["Location"] == f"{page}#comments"
    reader = Client()
    reader.force_login(auditor)
    for entity_type, _, page, _ in records:
        html = reader.get(page).content.decode()
        assert f"&lt;script&gt;x&lt;/script&gt; on {entity_type}" in html
        assert "<script>x</script>" not in html
        assert "Add comment" not in html  # the auditor reads only


def test_the_comment_form_refuses_an_empty_comment_with_422(invoice, clerk):
    client = Client()
    client.force_login(clerk)
    response = client.post(f"/comments/invoice/{invoice.id}/", {"text": "  "})
    assert response.status_code == 422
    assert "Write the comment first" in response.content.decode()
    assert comment_list(entity_type="invoice", record_id=invoice.id).items == []


def test_the_api_lists_and_adds_comments_on_every_kind(
    records, clerk, approver, mailoutbox
):
    headers = bearer(clerk)
    mailoutbox.clear()  # the fixtures' own e-mails
    for _, record_id, _, path in records:
        url = f"/api/v1/{path}/{record_id}/comments"
        response = send("post", url, {"text": "@approver look"}, headers)
        assert response.status_code == 201, response.content
        assert response.json()["mentions"] == ["approver"]
        listed = Client().get(url, **headers).json()
        assert [c["text"] for c in listed["items"]] == ["@approver look"]
        assert listed["next_cursor"] is None
    assert len(mailoutbox) == 3


def test_the_api_refuses_bad_comments(invoice, clerk):
    headers = bearer(clerk)
    url = f"/api/v1/invoices/{invoice.id}/comments"
    for body in ({"text": ""}, {"text": "x" * (MAX_COMMENT_LENGTH + 1)}, {}):
        response = send("post", url, body, headers)
        assert response.status_code == 422, body
    assert (
        send(
            "post", "/api/v1/invoices/nope/comments", {"text": "x"}, headers
        ).status_code
        == 404
    )
    assert Client().get(url, **headers).json()["items"] == []
