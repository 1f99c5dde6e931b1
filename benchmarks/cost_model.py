"""
Monthly AWS cost at 1,000 / 10,000 / 100,000 invoices a month (README "Deploy
to AWS"). Run: .venv/bin/python benchmarks/cost_model.py

Per-invoice DynamoDB figures: the reconciliation job's 10.0 write units per
invoice are measured (README, "Items, write units and CPU per reconciled
invoice (issue 19)"); entering an invoice and paying it are ASSUMED to cost
as much again each (not measured), and reads are ASSUMED at 20 read units per
invoice over its life (pages, job reads). Prices: us-east-1 list prices as
known on 2026-12-03 (on-demand DynamoDB $1.25 per million write units, $0.25
per million read units; the others below); check the AWS pricing pages.
"""

HOURS = 730  # a month

WRITE_UNITS_RECONCILE = 10.0  # measured (issue 19)
WRITE_UNITS_PER_INVOICE = WRITE_UNITS_RECONCILE * 3  # + entry + payment: assumed
READ_UNITS_PER_INVOICE = 20.0  # assumed
PRICE_PER_MILLION_WRITES = 1.25
PRICE_PER_MILLION_READS = 0.25
STORAGE_KB_PER_INVOICE = 30  # items, entries, search tokens: assumed
DYNAMODB_GB_MONTH = 0.25 + 0.20  # storage + point-in-time recovery
DOCUMENT_MB_PER_INVOICE = 0.5  # one PDF: assumed
S3_GB_MONTH = 0.023

FIXED = {
    # 2 tasks of 0.5 vCPU / 1 GB: $0.04048 per vCPU-hour, $0.004445 per GB-hour.
    "Fargate, 2 web tasks": 2 * HOURS * (0.5 * 0.04048 + 1 * 0.004445),
    # $0.0225 per hour + about one LCU at $0.008 per hour.
    "ALB": HOURS * (0.0225 + 0.008),
    # One NAT gateway ($0.045 per hour), data processing left out.
    "NAT gateway": HOURS * 0.045,
    # db.t4g.micro single-AZ $0.016 per hour + 20 GB gp3 at $0.115.
    "RDS PostgreSQL db.t4g.micro": HOURS * 0.016 + 20 * 0.115,
    # ~40 EMF metrics at $0.30, ~30 alarms at $0.10, 2 GB of logs at $0.50.
    "CloudWatch": 40 * 0.30 + 30 * 0.10 + 2 * 0.50,
}


def monthly(invoices: int) -> dict[str, float]:
    """Every line of the month's bill at `invoices` a month (a year kept)."""
    kept = invoices * 12
    lines = dict(FIXED)
    lines["DynamoDB writes"] = (
        invoices * WRITE_UNITS_PER_INVOICE / 1e6 * PRICE_PER_MILLION_WRITES
    )
    lines["DynamoDB reads"] = (
        invoices * READ_UNITS_PER_INVOICE / 1e6 * PRICE_PER_MILLION_READS
    )
    lines["DynamoDB storage + PITR (a year kept)"] = (
        kept * STORAGE_KB_PER_INVOICE / 1e6 * DYNAMODB_GB_MONTH
    )
    lines["S3 documents (a year kept)"] = (
        kept * DOCUMENT_MB_PER_INVOICE / 1e3 * S3_GB_MONTH
    )
    return lines


def main() -> None:
    volumes = (1_000, 10_000, 100_000)
    bills = {volume: monthly(volume) for volume in volumes}
    print(f"| line | {' | '.join(f'{v:,} invoices' for v in volumes)} |")
    print(f"|---|{'---|' * len(volumes)}")
    for line in bills[volumes[0]]:
        print(
            f"| {line} | "
            + " | ".join(f"${bills[v][line]:,.2f}" for v in volumes)
            + " |"
        )
    print(
        "| **total per month** | "
        + " | ".join(f"**${sum(bills[v].values()):,.2f}**" for v in volumes)
        + " |"
    )


if __name__ == "__main__":
    main()
