"""
The scheduled jobs' statistics as CloudWatch metrics, in embedded metric
format (aws-embedded-metrics): one JSON line on stdout per run, which
CloudWatch Logs turns into metrics in namespace P2P with dimension
Job=<command name>. On only where settings.METRICS_EMF (production, or a
Lambda); locally and in tests nothing is printed.
"""

import asyncio

from aws_embedded_metrics.logger.metrics_logger_factory import create_metrics_logger
from aws_embedded_metrics.unit import Unit
from django.conf import settings

NAMESPACE = "P2P"


def job_metrics_publish(
    *, job: str, counts: dict[str, int], duration_seconds: float
) -> bool:
    """Publish Runs=1, the job's `counts` and its duration; False when off."""
    if not settings.METRICS_EMF:
        return False
    asyncio.run(_publish(job, counts, duration_seconds))
    return True


async def _publish(job: str, counts: dict[str, int], duration_seconds: float):
    logger = create_metrics_logger()
    logger.set_namespace(NAMESPACE)
    logger.set_dimensions({"Job": job})
    logger.put_metric("Runs", 1, Unit.COUNT.value)
    for name, value in counts.items():
        logger.put_metric(name, value, Unit.COUNT.value)
    logger.put_metric("Duration", duration_seconds * 1000, Unit.MILLISECONDS.value)
    await logger.flush()
