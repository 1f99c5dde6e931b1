"""
What every benchmark script shares: Django pointed at a DynamoDB endpoint with
the tables created, DynamoDB Local started for the run when none is given, and
records loaded straight into a table with parallel batch writes, and
DynamoDB requests counted by operation, and the CPU this process and
DynamoDB Local's JVM spent.
"""

import os
import resource
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path


def setup_django(endpoint: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "project.settings.test"
    os.environ["DYNAMODB_ENDPOINT_URL"] = endpoint
    os.environ["DYNAMODB_TABLE_PREFIX"] = "bench-"
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from core import dynamo

    dynamo.configure_models()
    dynamo.create_tables()


# The JVM of the DynamoDB Local `dynamodb_endpoint` started, for its CPU times.
STARTED: dict = {}


@contextmanager
def dynamodb_endpoint(
    endpoint: str | None = None, *, on_disk: bool = False
) -> Iterator[str]:
    """
    Yield `endpoint`, or that of a DynamoDB Local started for the run: in
    memory, or `on_disk` in a temporary folder (its SQLite file), for data
    that would not fit the JVM's heap (about 100,000 whole invoices).
    """
    if endpoint is not None:
        yield endpoint
        return
    from localdev import dynamodb_local

    with tempfile.TemporaryDirectory(prefix="p2p-bench-") as folder:
        port = dynamodb_local.free_port()
        process = dynamodb_local.start(
            port=port, db_path=Path(folder) if on_disk else None
        )
        STARTED["pid"] = process.pid
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            dynamodb_local.stop(process)


def batch_load(
    model_cls, make: Callable[[int], object], start: int, stop: int, *, chunk=1000
) -> None:
    """
    Save `make(index)` for every index in [start, stop), four batches at a
    time, with the job's time-outs (a loaded DynamoDB Local can take longer
    than a web request's 2 s over a batch).
    """
    from core.dynamo import job_timeouts

    def write(chunk_start: int) -> None:
        with model_cls.batch_write() as batch:
            for index in range(chunk_start, min(chunk_start + chunk, stop)):
                batch.save(make(index))

    with job_timeouts(), ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(start, stop, chunk)))


class RequestCounter:
    """
    Counts DynamoDB requests by operation in this process, for the runs that
    go straight to DynamoDB Local: a `before-send` handler on every botocore
    client created after `install()` (once per HTTP attempt, as the proxy
    counts). `reset()` as the proxy's: the counts so far, then zero.
    """

    def __init__(self):
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def install(self) -> None:
        import botocore.session

        create_client = botocore.session.Session.create_client

        def counted_create_client(session, *args, **kwargs):
            client = create_client(session, *args, **kwargs)
            client.meta.events.register("before-send.dynamodb", self._count)
            return client

        botocore.session.Session.create_client = counted_create_client

    def reset(self) -> Counter:
        with self._lock:
            counts, self._counts = self._counts, Counter()
        return counts

    def _count(self, event_name: str, **kwargs) -> None:
        with self._lock:
            self._counts[event_name.rsplit(".", 1)[-1]] += 1


def java_cpu_seconds(pid: int) -> float:
    """DynamoDB Local's CPU so far: its JVM's utime + stime (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
