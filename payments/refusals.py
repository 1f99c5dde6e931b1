"""
Refused attempts on a run's audit trail: an auditor sees what was tried
(approve by the builder, confirm twice...), not only what succeeded.

Only attempts by users who may act on runs at all (Treasurer, Approver,
Admin) are recorded: anyone else's 403 writes nothing, so reading roles
cannot fill the trail. A recorded reason is cut to `REASON_MAX_CHARS`, so
whatever a refusal echoes of a request stays small on the trail.
"""

import functools
import logging
import uuid
from collections.abc import Callable

from audit.entries import audit_entry_write
from audit.models import AuditAction
from core.errors import ApplicationError, NotFound, ServiceUnavailable, StaleRecord
from payments import checks, events
from payments.models import REFUSED_BUILD_PREFIX
from payments.selectors import payment_run_get

logger = logging.getLogger("payments")

REASON_MAX_CHARS = 500


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
                if isinstance(
                    exc, NotFound | StaleRecord | ServiceUnavailable
                ) or not checks.acts_on_runs(user):
                    raise
                _refusal_save(action, run_id, user, exc)
                raise

        return wrapper

    return decorate


def _refusal_save(
    action: AuditAction, run_id: str | None, user, exc: ApplicationError
) -> None:
    """
    Write the refusal's entry. A refusal that cannot be recorded (DynamoDB
    out of reach, a race, a record refused, a defect) is logged as an error
    with its cause, and the user still reads why the attempt was refused:
    the refusal is the answer, its entry a record of it.
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
            reason=_bounded(exc.message),
        )
        audit_entry_write(entry)
    except Exception as failure:  # noqa: BLE001 (the refusal still answers)
        logger.error(
            "The refused %s of payment run %s was not recorded (%s): %s",
            action,
            run_id or "(new)",
            type(failure).__name__,
            _bounded(exc.message),
            # A defect's traceback is worth having; an outage's is noise.
            exc_info=not isinstance(failure, ServiceUnavailable | StaleRecord),
        )


def _bounded(reason: str) -> str:
    """The reason as recorded: at most REASON_MAX_CHARS characters."""
    if len(reason) <= REASON_MAX_CHARS:
        return reason
    return reason[: REASON_MAX_CHARS - 1] + "…"
