"""What the dashboard shows a user: the work waiting for them, and the figures."""

import datetime as dt
from dataclasses import dataclass, field

from django.template.defaultfilters import pluralize

from accounts.roles import Role, has_role, require_reader
from core.days import site_today
from dashboard.figures import AGEING_BUCKETS, AGEING_LABELS
from invoicing.selectors import (
    invoice_list,
    invoice_statistics_get,
    invoices_awaiting_approval_by,
    invoices_due_soon,
    invoices_variances_sent_to,
    invoices_waiting_oldest,
)
from payments.selectors import payment_run_list
from purchasing.selectors import (
    purchase_orders_awaiting_approval,
    purchase_orders_rejected,
)
from vendors.selectors import vendors_awaiting_confirmation_by

SHOWN = 5


@dataclass
class WorkList:
    """A few items of one kind waiting for the user, and whether there are more."""

    title: str
    items: list
    more: bool
    link: str
    empty: str
    kind: str
    summary: str = ""  # one line above the items, e.g. how many there are
    link_query: str = ""  # appended to `link`'s address: a filter of the list


@dataclass
class Dashboard:
    work: list[WorkList] = field(default_factory=list)
    figures: dict | None = None
    computed_at: dt.datetime | None = None

    @property
    def ageing_rows(self) -> dict[str, list[tuple[str, dict]]]:
        """Per currency, each ageing bucket's label and figures, in bucket order."""
        ageing = (self.figures or {}).get("ageing", {})
        return {
            currency: [(AGEING_LABELS[b], buckets[b]) for b in AGEING_BUCKETS]
            for currency, buckets in ageing.items()
        }


def _work(title, page, link, empty, kind, query="") -> WorkList:
    return WorkList(
        title, page.items, bool(page.next_cursor), link, empty, kind, link_query=query
    )


def _bank_details_to_confirm(user) -> WorkList:
    """The vendors whose new bank details this clerk may confirm: not their own change."""
    vendors, count = vendors_awaiting_confirmation_by(user=user, limit=SHOWN)
    return WorkList(
        title="Bank details awaiting my confirmation",
        items=vendors,
        more=count > len(vendors),
        link="vendors:list",
        empty="No vendor's new bank details wait for you.",
        kind="bank",
        summary=(
            f"{count} vendor{pluralize(count)} {pluralize(count, 'awaits,await')} "
            "your bank-detail confirmation"
        ),
        link_query="?bank_details=awaiting_me",
    )


def dashboard_for(*, user) -> Dashboard:
    """Return the user's dashboard: a few queries on indexes and one statistics item."""
    require_reader(user)
    board = Dashboard()
    if has_role(user, Role.APPROVER):
        board.work.append(
            _work(
                "POs awaiting my approval",
                purchase_orders_awaiting_approval(user=user, limit=SHOWN),
                "purchasing:awaiting",
                "Nothing awaits your approval.",
                "po",
            )
        )
    if has_role(user, Role.APPROVER):
        board.work.append(
            _work(
                "Invoices awaiting my approval",
                invoices_awaiting_approval_by(user=user, limit=SHOWN),
                "invoicing:list",
                "No invoice without PO awaits your approval.",
                "invoice",
                query="?awaiting=me",
            )
        )
        board.work.append(
            _work(
                "Variances sent to me",
                invoices_variances_sent_to(user=user, limit=SHOWN),
                "invoicing:variances",
                "No rejected invoice waits for your acceptance.",
                "variance",
            )
        )
    if has_role(user, Role.REQUESTER):
        board.work.append(
            _work(
                "My rejected POs",
                purchase_orders_rejected(requester=user.get_username(), limit=SHOWN),
                "purchasing:rejected",
                "None of your purchase orders was rejected.",
                "rejected",
            )
        )
    if has_role(user, Role.AP_CLERK):
        board.work.append(
            _work(
                "Invoices waiting for reconciliation",
                invoices_waiting_oldest(limit=SHOWN),
                "invoicing:list",
                "No invoice is waiting; the scheduled job reconciles new ones.",
                "invoice",
            )
        )
        board.work.append(
            _work(
                "Exceptions: rejected invoices",
                invoice_list(status="rejected", limit=SHOWN),
                "invoicing:exceptions",
                "No exceptions: every reconciled invoice matched its PO.",
                "exception",
            )
        )
        board.work.append(_bank_details_to_confirm(user))
    if has_role(user, Role.TREASURER):
        board.work.append(
            _work(
                "Due in the next 7 days or losing their discount",
                invoices_due_soon(
                    until=site_today() + dt.timedelta(days=7),
                    limit=SHOWN,
                ),
                "payments:create",
                "Nothing falls due in the next week.",
                "due",
            )
        )
    if has_role(user, Role.AP_CLERK, Role.TREASURER):
        board.work.append(
            _work(
                "Invoices on hold",
                invoice_list(held=True, limit=SHOWN),
                "invoicing:list",
                "No invoice is on hold.",
                "held",
                query="?held=on",
            )
        )
    runs_waiting = []
    if has_role(user, Role.TREASURER, Role.APPROVER):
        runs_waiting.append(("draft", "Payment runs awaiting approval"))
    if has_role(user, Role.TREASURER):
        runs_waiting.append(("returned", "Payment runs returned to their builder"))
        runs_waiting.append(("approved", "Payment runs awaiting export"))
    for status, title in runs_waiting:
        board.work.append(
            _work(
                title,
                payment_run_list(status=status, limit=SHOWN),
                "payments:list",
                "None.",
                "run",
            )
        )
    statistics = invoice_statistics_get()
    if statistics is not None:
        # The buckets' order and names travel with the figures, for the chart
        # and its table alike (the stored figures' keys sort "current" last).
        board.figures = {
            **statistics.figures,
            "ageing_labels": [[b, AGEING_LABELS[b]] for b in AGEING_BUCKETS],
        }
        board.computed_at = statistics.computed_at
    return board
