"""
Benchmark: taking in e-invoices from a folder (`einvoicing.jobs.drop_location_import`,
what `manage.py import_einvoices FOLDER` runs) on DynamoDB Local (started for the run unless --endpoint is given).

N distinct e-invoices (default 1,000) are written into a temporary folder:
the official samples UBL ubl-tc434-example1 and CII CII_example1 (seller De
Koksmaat, VAT id NL820098395B01), alternately, each under its own number and
naming its own approved PO of that seller (BT-13). The seller is registered
as a vendor by its VAT id beforehand, so every file becomes an invoice
against its PO. Then the folder is taken in as the command does (the rules
compiled once at start, the accounting codes read once a minute, files taken
in EINVOICE_IMPORT_WORKERS at a time unless --workers says), and timed: wall
and CPU (resource.getrusage) per document, the time spent reading the files
(einvoicing.reading) and checking the EN 16931 rules (einvoicing.rules), each
document's own time from its file read to its invoice written, and the
DynamoDB requests per document by operation.

    .venv/bin/python benchmarks/einvoice_import.py [--documents 1000] [--workers 4] [--endpoint URL]
"""

import argparse
import cProfile
import os
import pstats
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# After the project: benchmarks/dashboard.py must not hide the dashboard app.
sys.path.append(str(ROOT / "benchmarks"))

from harness import RequestCounter, dynamodb_endpoint, setup_django  # noqa: E402

SAMPLES = ("ubl-tc434-example1.xml", "CII_example1.xml")
SELLER_VAT_ID = "NL820098395B01"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Stopwatch:
    """
    Wraps a module's function to record each call's wall time, and to add up
    the process's CPU time during the calls (meaningful with one worker only:
    Saxon works on a thread of its own, and workers overlap).
    """

    def __init__(self, module, name: str):
        self.durations: list[float] = []
        self.cpu_seconds = 0.0
        original = getattr(module, name)

        def timed(*args, **kwargs):
            began, began_cpu = time.perf_counter(), _cpu()
            try:
                return original(*args, **kwargs)
            finally:
                self.durations.append(time.perf_counter() - began)
                self.cpu_seconds += _cpu() - began_cpu

        setattr(module, name, timed)

    @property
    def seconds(self) -> float:
        return sum(self.durations)


def make_users():
    from django.contrib.auth.models import Group, User
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Profile

    def user(name, role=None, **extra):
        made = User.objects.create_user(f"bench-{name}", password="x", **extra)
        if role:
            made.groups.add(Group.objects.get(name=role))
        # Signed in with a second factor, as the services expect of a person.
        made.otp_device = TOTPDevice.objects.create(
            user=made, name="Authenticator app", confirmed=True
        )
        return made

    clerk = user("clerk", "AP Clerk")
    requester = user("requester", "Requester")
    approver = user("approver", "Approver")
    Profile.objects.create(user=approver, approval_limit="1000000.00")
    admin = user("admin", is_superuser=True)
    return clerk, requester, approver, admin


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--documents", type=int, default=1000,
                        help="E-invoices to generate and take in.")  # fmt: skip
    parser.add_argument("--endpoint", help="Use a running DynamoDB Local instead.")
    parser.add_argument("--workers", type=int, default=None,
                        help="Files taken in at once (default: EINVOICE_IMPORT_WORKERS).")  # fmt: skip
    parser.add_argument("--profile", action="store_true",
                        help="Print the import's 25 costliest functions (cProfile).")  # fmt: skip
    options = parser.parse_args()
    requests = RequestCounter()
    requests.install()  # before any client is made

    with (
        dynamodb_endpoint(options.endpoint) as endpoint,
        tempfile.TemporaryDirectory(prefix="einvoice-bench-") as folder,
    ):
        os.environ["MEDIA_ROOT"] = str(Path(folder) / "media")
        setup_django(endpoint)
        from django.conf import settings

        settings.MEDIA_ROOT = str(Path(folder) / "media")
        if options.workers:
            settings.EINVOICE_IMPORT_WORKERS = options.workers
        workers = settings.EINVOICE_IMPORT_WORKERS
        from accounting.services import (
            accounting_code_create,
            accounting_defaults_install,
        )
        from einvoicing import batch, jobs, reading, rules
        from einvoicing.document import Syntax
        from purchasing.services import purchase_order_approve, purchase_order_create
        from tests.einvoicing import broken
        from tests.einvoicing.conftest import EXTRA_TAX_CODES
        from tests.einvoicing.samples import sample_bytes
        from vendors.services import vendor_create

        clerk, requester, approver, admin = make_users()
        accounting_defaults_install(user=admin, profile="DE")
        settings.DEFAULT_TAX_CODE = "V19"
        for code, name, rate, category in EXTRA_TAX_CODES:
            accounting_code_create(
                user=admin, kind="tax_code",
                fields={"code": code, "name": name, "rate": rate, "category": category},
            )  # fmt: skip
        vendor = vendor_create(
            user=clerk,
            fields={"name": "De Koksmaat", "vat_id": SELLER_VAT_ID, "currency": "EUR",
                    "email": "billing@koksmaat.example", "status": "active",
                    "payment_terms": "Net 30", "address": "Postbus 7\n9700 AA Groningen"},
        )  # fmt: skip

        began = time.perf_counter()
        inbox = Path(folder) / "inbox"
        inbox.mkdir()
        samples = [
            (sample_bytes(name), Syntax.CII if name.startswith("CII") else Syntax.UBL)
            for name in SAMPLES
        ]
        for index in range(options.documents):
            xml, syntax = samples[index % len(samples)]
            po = purchase_order_create(
                user=requester, vendor_id=vendor.id, currency="EUR",
                lines=[{"description": "Kitchen supplies", "quantity": "1",
                        "unit_price": "250.33"}],
            )  # fmt: skip
            po = purchase_order_approve(po_id=po.id, user=approver)
            document = broken.with_order_reference(
                broken.with_number(xml, syntax, f"BENCH-{index:06d}"),
                syntax,
                po.po_number,
            )
            (inbox / f"{index:06d}-{syntax.value}.xml").write_bytes(document)
        print(f"{options.documents:,} POs approved and their e-invoices written in "
              f"{time.perf_counter() - began:.0f} s", flush=True)  # fmt: skip

        began, began_cpu = time.perf_counter(), _cpu()
        compiled = rules.warm_up()
        print(f"rules.warm_up(): {time.perf_counter() - began:.2f} s wall, "
              f"{_cpu() - began_cpu:.2f} s CPU (UBL {compiled[Syntax.UBL]:.2f} s, "
              f"CII {compiled[Syntax.CII]:.2f} s)", flush=True)  # fmt: skip

        # services calls reading.read_file, reading.einvoice_from_file and
        # rules.check through their modules: timed where they are looked up.
        read = Stopwatch(reading, "read_file")
        convert = Stopwatch(reading, "einvoice_from_file")
        check = Stopwatch(rules, "check")
        each = Stopwatch(batch, "file_import")  # one document, end to end
        profiler = cProfile.Profile() if options.profile else None
        if profiler:
            profiler.enable()
        requests.reset()
        began, began_cpu = time.perf_counter(), _cpu()
        # What `manage.py import_einvoices FOLDER` runs (einvoicing.jobs).
        summary = jobs.drop_location_import(str(inbox), user=clerk)
        invoices = summary.count(batch.IMPORTED)
        waiting = summary.count(batch.INBOX)
        refused = [
            f"{item.file}: {item.message}"
            for item in summary.files
            if item.outcome not in (batch.IMPORTED, batch.INBOX)
        ]
        wall, cpu = time.perf_counter() - began, _cpu() - began_cpu
        sent = requests.reset()
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)

    count = len(summary.files)
    latencies = sorted(each.durations)

    def per_document(seconds: float) -> str:
        return f"{seconds / count * 1000:.1f} ms"

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.1f} ms"

    print(f"\n{count:,} files: {invoices:,} invoices, {waiting:,} in the inbox, "
          f"{len(refused):,} refused; {workers} worker(s)")  # fmt: skip
    for line in refused[:5]:
        print("  refused:", line)
    sequential = workers == 1
    print("\n| Per document | Wall | CPU |")
    print("|---|---:|---:|")
    print(f"| The whole import ({count / wall:.1f} documents/s) | {per_document(wall)} "
          f"| {per_document(cpu)} |")  # fmt: skip
    # With several workers a part's time is summed over them, and the
    # process's CPU during one call includes the others' work: not shown.
    for label, watch in (
        ("reading the file (reading.read_file)", read),
        ("the EN 16931 rules (rules.check)", check),
        ("the e-invoice's terms (reading.einvoice_from_file)", convert),
    ):
        print(f"| {'of which' if sequential else 'in'} {label} | "
              f"{per_document(watch.seconds)} | "
              f"{per_document(watch.cpu_seconds) if sequential else '–'} |")  # fmt: skip
    if sequential:
        watches = (read, check, convert)
        rest_wall = wall - sum(watch.seconds for watch in watches)
        rest_cpu = cpu - sum(watch.cpu_seconds for watch in watches)
        print(f"| the rest (vendor, PO, invoice, storage, DynamoDB calls) | "
              f"{per_document(rest_wall)} | {per_document(rest_cpu)} |")  # fmt: skip
    print(f"\nEach document from its file read to its invoice written "
          f"(batch.file_import): median {ms(statistics.median(latencies))}, "
          f"95th percentile {ms(latencies[int(count * 0.95)])}, "
          f"slowest {ms(latencies[-1])}")  # fmt: skip
    by_operation = ", ".join(
        f"{operation} {number / count:.2f}" for operation, number in sent.most_common()
    )
    print(f"DynamoDB requests per document: {sum(sent.values()) / count:.2f} "
          f"({by_operation})")  # fmt: skip
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
