"""
Refused attempts on a run's audit trail: an auditor sees what was tried
(approve by the builder, confirm twice...), not only what succeeded.
"""

import functools
import logging
import uuid
from collections.abc import Callable

from audit.entries import audit_entry_write
from audit.models import AuditAction
from core.errors import ApplicationError, NotFound, ServiceUnavailable, StaleRecord
from payments import events
from payments.models import REFUSED_BUILD_PREFIX
from payments.selectors import payment_run_get

logger = logging.getLogger("payments")


def refusal_recorded(action: AuditAction):
    """
    Record a refused attempt at `action` on the run's audit trail, then
    re-raise the refusal. Not found, stale and out-of-reach are no refusals
    of the attempt, so they pass unrecorded.
    """

    def decorate(service: Callable) -> Callable:
        @functools.wraps(service)
        def wrapper(*, user, run_id: str | None = None, **kwargs):
            try:
                if run_id is None:
                    return service(user=user, **kwargs)
                return service(user=user, run_id=run_id, **kwargs)
            except ApplicationError as exc:
                if isinstance(exc, NotFound | StaleRecord | ServiceUnavailable):
                    raise
                _refusal_save(action, run_id, user, exc)
                raise

        return wrapper

    return decorate


def _refusal_save(
    action: AuditAction, run_id: str | None, user, exc: ApplicationError
) -> None:
    """
    Write the refusal's entry. Losing the refusal to a DynamoDB out of reach
    or to a race is logged and tolerated, so the user still reads why the
    attempt was refused; any other failure is a defect and propagates.
    """
    try:
        if run_id is None:
            # A refused build has no run: it gets an id of its own.
            run_id, label = f"{REFUSED_BUILD_PREFIX}{uuid.uuid4().hex[:12]}", None
        elif (run := payment_run_get(run_id=run_id)) is not None:
            label = run.number
        else:
            return
        entry = events.payment_run_refused_event(
            run_id=run_id,
            label=label,
            user=user,
            attempted=action,
            reason=exc.message,
        )
        audit_entry_write(entry)
    except (ServiceUnavailable, StaleRecord) as failure:
        logger.warning(
            "The refused %s of payment run %s was not recorded (%s): %s",
            action,
            run_id or "(new)",
            type(failure).__name__,
            exc.message,
        )
