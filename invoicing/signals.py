"""
What invoicing tells the apps above it, which it does not import.

`reconciliation_finished` is sent after a run of the batch job that wrote
something (not a dry run, at least one invoice processed), with `stats`
(invoicing.jobs.JobStats); the dashboard recomputes its figures on it.
"""

from django.dispatch import Signal

reconciliation_finished = Signal()
