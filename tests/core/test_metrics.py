"""
The jobs' statistics as CloudWatch embedded metric format (issue 20): off
locally and in tests; on, one EMF line with namespace P2P and Job=<command>.
"""

import io
import json

import pytest
from aws_embedded_metrics.config import get_config
from django.core.management import call_command

from core.lambda_handler import SCHEDULED_COMMANDS, lambda_handler


@pytest.fixture
def emf_on(settings, monkeypatch):
    settings.METRICS_EMF = True
    # The library's local environment: the JSON printed on stdout.
    monkeypatch.setattr(get_config(), "environment", "local")


def _emf_lines(text: str) -> list[dict]:
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return [line for line in lines if "_aws" in line]


@pytest.mark.django_db
def test_reconcile_publishes_its_figures(emf_on, capfd):
    call_command("reconcile_invoices", stdout=io.StringIO())
    (emf,) = _emf_lines(capfd.readouterr().out)
    directive = emf["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "P2P"
    assert directive["Dimensions"] == [["Job"]]
    assert emf["Job"] == "reconcile_invoices"
    names = {metric["Name"] for metric in directive["Metrics"]}
    assert {
        "Runs",
        "InvoicesProcessed",
        "InvoicesMatched",
        "InvoicesRejected",
        "InvoiceErrors",
        "Duration",
    } <= names
    assert emf["Runs"] == 1 and emf["InvoicesProcessed"] == 0


@pytest.mark.django_db
def test_nothing_is_published_when_off(settings, capfd):
    settings.METRICS_EMF = False
    call_command("refresh_ageing", stdout=io.StringIO())
    assert _emf_lines(capfd.readouterr().out) == []


def test_the_handler_refuses_a_command_not_scheduled():
    with pytest.raises(ValueError, match="allowed are .*reconcile_invoices"):
        lambda_handler({"command": "seed_demo", "args": []}, None)
    with pytest.raises(ValueError, match="Unknown command None"):
        lambda_handler({}, None)


def test_every_allowed_command_exists():
    from django.core.management import get_commands

    assert SCHEDULED_COMMANDS <= set(get_commands())


@pytest.mark.django_db
def test_the_handler_runs_a_scheduled_command(emf_on, capfd):
    summary = lambda_handler({"command": "refresh_ageing", "args": []}, None)
    assert summary["command"] == "refresh_ageing" and summary["status"] == 0
    assert "Ageing summary recomputed" in summary["output"]
    (emf,) = _emf_lines(capfd.readouterr().out)
    assert emf["Job"] == "refresh_ageing" and emf["Refreshes"] == 1


@pytest.mark.django_db
def test_the_reconcile_lambda_publishes_what_the_command_does(emf_on, capfd):
    from invoicing.lambda_handler import lambda_handler as reconcile_lambda

    stats = reconcile_lambda({}, None)
    (emf,) = _emf_lines(capfd.readouterr().out)
    assert emf["Job"] == "reconcile_invoices"
    assert emf["Runs"] == 1 and emf["InvoicesProcessed"] == stats["processed"] == 0
    assert "Failures" not in emf


@pytest.mark.django_db
def test_a_failed_run_publishes_a_failure(emf_on, capfd, monkeypatch):
    from reports.management.commands import refresh_ageing

    def broken(self, *args, **options):
        raise RuntimeError("disk full")

    monkeypatch.setattr(refresh_ageing.Command, "handle", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        call_command("refresh_ageing", stdout=io.StringIO())
    (emf,) = _emf_lines(capfd.readouterr().out)
    assert emf["Job"] == "refresh_ageing" and emf["Failures"] == 1
