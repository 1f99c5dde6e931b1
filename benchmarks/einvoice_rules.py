"""
Benchmark: the EN 16931 rules (`einvoicing.rules`, saxonche) on the official
samples: the stylesheets' compilation once per process, then each sample's
validation, and N distinct documents (each sample under new numbers, half of
them with a total broken) validated one after another, in wall and CPU time
of this process. No DynamoDB: `benchmarks/einvoice_import.py` measures the
whole import.

    .venv/bin/python benchmarks/einvoice_rules.py [--documents 1000] [--repeat 20]
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--documents", type=int, default=1000,
                        help="Distinct documents to validate in a row.")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=20,
                        help="Validations of each sample for its median.")  # fmt: skip
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings.test")
    import django

    django.setup()
    from einvoicing import rules
    from einvoicing.document import EInvoiceInvalid, Syntax
    from tests.einvoicing import broken

    began, began_cpu = time.perf_counter(), _cpu()
    compiled = rules.warm_up()
    print(f"Samples from {broken.SAMPLES}")
    print(
        f"warm_up: {time.perf_counter() - began:.2f} s wall, "
        f"{_cpu() - began_cpu:.2f} s CPU (compiling UBL "
        f"{compiled[Syntax.UBL]:.2f} s, CII {compiled[Syntax.CII]:.2f} s)\n"
    )

    print("| Sample | Size | Median validate | Slowest of the rest |")
    print("|---|---:|---:|---:|")
    samples = [(path, syntax) for syntax in Syntax for path in broken.samples(syntax)]
    for path, syntax in samples:
        xml = path.read_bytes()
        times = []
        for _ in range(options.repeat):
            start = time.perf_counter()
            rules.validate(xml=xml, syntax=syntax)
            times.append(time.perf_counter() - start)
        print(f"| {path.name} | {len(xml) / 1024:.0f} KB | "
              f"{statistics.median(times) * 1000:.1f} ms | "
              f"{max(times[1:]) * 1000:.1f} ms |")  # fmt: skip

    documents = []
    for index in range(options.documents):
        path, syntax = samples[index % len(samples)]
        xml = broken.with_number(path.read_bytes(), syntax, f"BENCH-{index:06d}")
        if index % 2:
            xml = broken.with_total_broken(xml, syntax)
        documents.append((xml, syntax))
    times, refused = [], 0
    began, began_cpu = time.perf_counter(), _cpu()
    for xml, syntax in documents:
        start = time.perf_counter()
        try:
            rules.check(xml=xml, syntax=syntax)
        except EInvoiceInvalid:
            refused += 1
        times.append(time.perf_counter() - start)
    wall, cpu = time.perf_counter() - began, _cpu() - began_cpu
    times.sort()
    count = len(documents)
    print(f"\n{count:,} distinct documents ({refused:,} refused), one after another:")
    print("| Wall per document | CPU per document | Median | 95th pct | Slowest |")
    print("|---:|---:|---:|---:|---:|")
    print(f"| {wall / count * 1000:.1f} ms | {cpu / count * 1000:.1f} ms | "
          f"{times[count // 2] * 1000:.1f} ms | "
          f"{times[int(count * 0.95)] * 1000:.1f} ms | "
          f"{times[-1] * 1000:.1f} ms |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
