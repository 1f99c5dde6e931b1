"""
The Lambda entry of the scheduled commands other than the web tier:
EventBridge Scheduler sends {"command": "<name>", "args": [...]} and this
runs that command through call_command. Only the scheduled commands are
allowed: a schedule can never run seed_demo or create_api_token.

Runs in the same image as the web tier (Dockerfile), with awslambdaric as
the entry point: ImageConfig Command "core.lambda_handler.lambda_handler".
"""

import io
import os
import time

import django

SCHEDULED_COMMANDS = frozenset(
    {
        "reconcile_invoices",
        "send_digest",
        "refresh_dashboard",
        "audit_digest",
        "import_einvoices",
        "refresh_ageing",
        "send_mail_outbox",
        "raise_recurring_invoices",
        "discard_held_attachments",
    }
)

_ready = False


def lambda_setup() -> None:
    """Once per cold start: the job's secrets (core.secrets), then Django."""
    global _ready
    if not _ready:
        from core.secrets import secrets_load

        secrets_load()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings.production")
        django.setup()
        _ready = True


def lambda_handler(event: dict, context=None) -> dict:
    """Run the event's command; return its name, exit status, output and time."""
    command = event.get("command") if isinstance(event, dict) else None
    if command not in SCHEDULED_COMMANDS:
        raise ValueError(
            f"Unknown command {command!r}: allowed are "
            + ", ".join(sorted(SCHEDULED_COMMANDS))
        )
    args = event.get("args") or []
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise ValueError("'args' must be a list of strings")
    lambda_setup()
    from django.core.management import call_command

    out = io.StringIO()
    started = time.monotonic()
    # A CommandError (the job failed) propagates: Lambda counts it an error,
    # the scheduler retries and, in the end, the dead-letter queue gets it.
    call_command(command, *args, stdout=out)
    output = out.getvalue()
    print(output, end="")  # to CloudWatch Logs, as a command run by hand
    return {
        "command": command,
        "args": args,
        "status": 0,
        "skipped": output.startswith("skipped:"),
        "output": output[-4000:],
        "duration_s": round(time.monotonic() - started, 3),
    }
