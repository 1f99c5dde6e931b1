"""
The mail outbox (MailOutboxTable): e-mails are written here and sent after
the response by `manage.py send_mail_outbox` (issue 21, item 4), so a slow
or failing mail server never slows or fails the action behind a mail.

Where a mail follows from one state change (a PO raised, approved or
rejected) its items are written IN THE SAME TRANSACTION as that change, so a
committed decision always has its mail and a failed one never does; the
other notifications (payment runs, bank details, comments) are written right
after their change commits, because their recipients and text are decided
after the write today: a process dying in between loses that mail, never
the change. The daily digest is a job of its own and still sends directly.

Draining: items wait in the sparse `due-index` (partition "due", sorted by
when they are next due). A drainer claims an item with a conditional update
(its version as read, still due): the claim counts the attempt and moves the
due time a lease ahead, so a second drainer's claim fails and the mail is
sent once, and a drainer that dies after claiming leaves the item due again
when the lease ends (a mail is never lost; at worst it is sent again if the
process died after the send and before marking it sent). A failed send is
due again after a backoff that doubles per attempt (1, 2, 4 ... minutes,
at most an hour); after MAIL_OUTBOX_MAX_ATTEMPTS it stops as `failed`,
kept with its last error for an operator.

With settings.MAIL_OUTBOX_SEND_AT_ONCE (the test settings) the items just
written are drained at once by the code that wrote them, as before the
outbox, so tests can read `mail.outbox` after the action.
"""

import datetime as dt
import logging
import socket
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from core import dynamo
from core.errors import StaleRecord
from core.models import DUE, MailOutboxItem, OutboxState

logger = logging.getLogger(__name__)

# How long a claimed item is left to its drainer before another may claim it.
LEASE = dt.timedelta(minutes=5)
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_RETRY = dt.timedelta(hours=1)


def outbox_mail(
    *,
    kind: str,
    subject: str,
    body: str,
    to: Sequence[str],
    html_body: str | None = None,
):
    """A new outbox item, due now, not yet written; `html_body` an HTML alternative."""
    now = dynamo.utcnow()
    return MailOutboxItem(
        id=str(uuid.uuid4()),
        kind=kind,
        subject=subject,
        body=body,
        html_body=html_body,
        to=list(to),
        from_email=None,
        state=OutboxState.DUE,
        queue=DUE,
        due_at=now,
        attempts=0,
        created_at=now,
    )


def outbox_add(transaction, items: Iterable[MailOutboxItem]) -> list[MailOutboxItem]:
    """Add `items` to the caller's transaction; call `outbox_committed` after it."""
    items = list(items)
    for item in items:
        transaction.save(item, condition=MailOutboxItem.id.does_not_exist())
    return items


def outbox_save(items: Iterable[MailOutboxItem]) -> int:
    """Write `items` now (after the change that caused them committed); return how many."""
    items = list(items)
    if not items:
        return 0
    with MailOutboxItem.batch_write() as batch:
        for item in items:
            batch.save(item)
    outbox_committed(items)
    return len(items)


def outbox_committed(items: Sequence[MailOutboxItem]) -> None:
    """Send `items` at once when settings say so (tests); else the drainer will."""
    if items and settings.MAIL_OUTBOX_SEND_AT_ONCE:
        outbox_send(items)


def retry_delay(attempts: int) -> dt.timedelta:
    """How long a mail waits after its `attempts`-th failed send."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


@dataclass
class DrainReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    taken_by_others: int = 0
    errors: list[str] = field(default_factory=list)


def _owner() -> str:
    return f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"


def _claim(item: MailOutboxItem, *, owner: str, now: dt.datetime) -> bool:
    """Take the item for this drainer (counting the attempt); False if another did."""
    lease_end = now + LEASE
    try:
        with dynamo.write_transaction() as transaction:
            transaction.update(
                item,
                actions=[
                    MailOutboxItem.attempts.add(1),
                    MailOutboxItem.lease_owner.set(owner),
                    MailOutboxItem.due_at.set(lease_end),
                ],
                condition=(MailOutboxItem.queue == DUE)
                & (MailOutboxItem.due_at <= now),
            )
    except StaleRecord:
        return False
    item.attempts = (item.attempts or 0) + 1
    item.lease_owner, item.due_at = owner, lease_end
    return True


def _settle(item: MailOutboxItem, actions: list) -> None:
    """Record the outcome of the claimed send, unless the lease passed to another."""
    try:
        with dynamo.write_transaction() as transaction:
            transaction.update(
                item,
                actions=actions,
                condition=MailOutboxItem.lease_owner == item.lease_owner,
            )
    except StaleRecord:
        logger.warning(
            "Outbox item %s was claimed again before it was settled", item.id
        )


def outbox_send(items: Iterable[MailOutboxItem], *, now=None) -> DrainReport:
    """Claim and send each of `items` (as read); record each outcome."""
    report = DrainReport()
    owner = _owner()
    now = now or dynamo.utcnow()
    # Opened by the first send, so a mail server that is down fails each
    # claimed item (counted and retried) rather than the drain as a whole.
    connection = get_connection(fail_silently=False)
    try:
        for item in items:
            if not _claim(item, owner=owner, now=now):
                report.taken_by_others += 1
                continue
            message = EmailMultiAlternatives(
                subject=item.subject,
                body=item.body,
                from_email=item.from_email or settings.DEFAULT_FROM_EMAIL,
                to=list(item.to),
            )
            if item.html_body:
                message.attach_alternative(item.html_body, "text/html")
            try:
                connection.send_messages([message])
            except Exception as exc:  # noqa: BLE001 - every failure is retried
                _failed(item, exc, report=report, now=now)
                continue
            _settle(
                item,
                [
                    MailOutboxItem.state.set(OutboxState.SENT),
                    MailOutboxItem.queue.remove(),
                    MailOutboxItem.sent_at.set(dynamo.utcnow()),
                    MailOutboxItem.last_error.remove(),
                ],
            )
            report.sent += 1
    finally:
        connection.close()
    return report


def _failed(
    item: MailOutboxItem, exc: Exception, *, report: DrainReport, now: dt.datetime
) -> None:
    error = f"{type(exc).__name__}: {exc}"[:1000]
    report.errors.append(error)
    if item.attempts >= settings.MAIL_OUTBOX_MAX_ATTEMPTS:
        report.failed += 1
        logger.error(
            "E-mail %s not sent after %s attempts; given up (outbox item %s): %s",
            item.kind, item.attempts, item.id, error,
        )  # fmt: skip
        actions = [
            MailOutboxItem.state.set(OutboxState.FAILED),
            MailOutboxItem.queue.remove(),
        ]
    else:
        report.retried += 1
        logger.error(
            "E-mail %s not sent; the action itself succeeded, retried later "
            "(attempt %s of %s): %s",
            item.kind, item.attempts, settings.MAIL_OUTBOX_MAX_ATTEMPTS, error,
        )  # fmt: skip
        actions = [MailOutboxItem.due_at.set(now + retry_delay(item.attempts))]
    _settle(
        item,
        [
            *actions,
            MailOutboxItem.last_error.set(error),
            MailOutboxItem.lease_owner.remove(),
        ],
    )


def outbox_due(*, now=None, limit: int = 100) -> list[MailOutboxItem]:
    """The items due by `now`, longest waiting first (one query of the due index)."""
    now = now or dynamo.utcnow()
    return list(
        MailOutboxItem.due_index.query(
            DUE, MailOutboxItem.due_at <= now, limit=limit, scan_index_forward=True
        )
    )


def outbox_drain(*, now=None, limit: int = 100) -> DrainReport:
    """Send what is due now, at most `limit` mails (`manage.py send_mail_outbox`)."""
    now = now or dynamo.utcnow()
    return outbox_send(outbox_due(now=now, limit=limit), now=now)
