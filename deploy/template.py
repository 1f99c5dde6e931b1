"""
Build the product's two CloudFormation templates (issue 20) with troposphere:

- deploy/p2p-data.yaml (deploy/data.py): the tables, from the PynamoDB model
  registry, and the buckets; retained, deployed once per stage;
- deploy/p2p-app.yaml (deploy/app.py): network (network.py), web tier
  (web.py), scheduled jobs (jobs.py), roles (iam.py) and alarms (alarms.py),
  over the data stack's names given as parameters.

    .venv/bin/python -m deploy.template          # the data template, to stdout
    .venv/bin/python -m deploy.template app      # the app template, to stdout
    make template                                # both, into deploy/

tests/deploy/ checks the committed YAML is what this builds.
"""

import os
import sys
from pathlib import Path

from deploy import app, data

DEPLOY = Path(__file__).resolve().parent
FILES = {"data": DEPLOY / "p2p-data.yaml", "app": DEPLOY / "p2p-app.yaml"}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings.base")
    import django

    django.setup()


def table_names() -> list[str]:
    """Every registered table's base name, in the registry's order."""
    return [name for name, _schema in data.table_schemas()]


def templates() -> dict:
    """{"data": Template, "app": Template}."""
    return {"data": data.template(), "app": app.template(table_names())}


def main(argv: list[str]) -> int:
    _setup_django()
    which = argv[0] if argv else "data"
    if which not in FILES:
        sys.stderr.write("usage: python -m deploy.template [data|app]\n")
        return 2
    built = data.template() if which == "data" else app.template(table_names())
    sys.stdout.write(built.to_yaml())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
