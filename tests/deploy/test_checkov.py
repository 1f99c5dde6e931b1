"""
checkov over both templates: no failed check, except those suppressed in the
template with a written reason. checkov pins an older boto3 than the app's,
so it runs from its own virtualenv (var/checkov-venv), which `make install`
makes from requirements-checkov.txt.
"""

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy.conftest import FILES, cfn_loader

pytestmark = pytest.mark.backend_free

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = ROOT / "var" / "checkov-venv" / "bin" / "checkov"


def _checkov() -> Path:
    assert CHECKOV.exists(), (
        f"{CHECKOV} is missing: `make install` makes it (requirements-checkov.txt)."
    )
    return CHECKOV


def test_checkov_fails_no_check_that_is_not_suppressed_with_a_reason():
    args = [
        str(_checkov()),
        "--framework",
        "cloudformation",
        "--output",
        "json",
        "--quiet",
    ]
    for path in FILES.values():
        args += ["-f", str(path)]
    answer = subprocess.run(args, capture_output=True, text=True, timeout=300)
    reports = json.loads(answer.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [
        (c["check_id"], c["resource"])
        for r in reports
        for c in r["results"].get("failed_checks", [])
    ]
    assert failed == []
    # The suppressions are read (each with its comment in the template).
    assert sum(r["summary"]["skipped"] for r in reports) > 0


def test_every_suppressed_check_says_why():
    suppressions = []
    for path in FILES.values():
        template = yaml.load(path.read_text(), Loader=cfn_loader())
        for name, resource in template["Resources"].items():
            for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
                suppressions.append((name, skip.get("id"), skip.get("comment", "")))
    assert suppressions, "no suppression read: the check above would prove nothing"
    unexplained = [(n, i) for n, i, c in suppressions if len(c.split()) < 4]
    assert unexplained == []
