"""
Benchmark: reading a bank's answer (`payments.bank_messages.read_bank_message`)
of 100 to 5,000 transfers: the XSD check (xmlschema) and the parser, in CPU
seconds of this process. No DynamoDB: matching and writing are per payment
and measured by the tests' counts, not here.

    .venv/bin/python benchmarks/bank_statement.py [--sizes 100,1000,5000]
"""

import argparse
import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--sizes", default="100,1000,5000",
                        help="Transfers per file, comma-separated.")  # fmt: skip
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings.test")
    import django

    django.setup()
    from payments.bank_messages import read_bank_message
    from tests.payments import bank_files

    print("| Message | Transfers | Size | CPU to read |")
    print("|---|---:|---:|---:|")
    for size in (int(n) for n in options.sizes.split(",")):
        entries = [
            {
                "end_to_end_id": f"{index:032x}",
                "amount": Decimal("1234.56"),
                "currency": "EUR",
                "booking_date": dt.date(2026, 12, 2),
                "creditor_iban": "FR1420041010050500013M02606",
            }
            for index in range(size)
        ]
        for name, build in (("camt.054", bank_files.camt054),
                            ("camt.053", bank_files.camt053)):  # fmt: skip
            content = build(entries=entries)
            began = time.process_time()
            message = read_bank_message(content)
            spent = time.process_time() - began
            assert len(message.entries) == size
            print(f"| {name} | {size:,} | {len(content) / 1024:,.0f} KB | "
                  f"{spent:.2f} s |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
