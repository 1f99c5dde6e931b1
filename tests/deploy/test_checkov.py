"""
checkov over both templates: no failed check, except those suppressed in the
template with a written reason. checkov pins an older boto3 than the app's,
so it runs from its own virtualenv (var/checkov-venv, requirements-checkov.txt),
made here the first time (about a minute), again when the pins change.
"""

import fcntl
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.conftest import FILES

pytestmark = pytest.mark.backend_free

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "requirements-checkov.txt"
VENV = ROOT / "var" / "checkov-venv"


def _checkov() -> Path:
    """The checkov executable, installed from requirements-checkov.txt when missing or stale."""
    VENV.parent.mkdir(exist_ok=True)
    stamp = VENV / "requirements.sha256"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    with open(VENV.parent / "checkov-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # pytest-xdist workers wait for one install
        if not stamp.exists() or stamp.read_text() != wanted:
            subprocess.run(
                [sys.executable, "-m", "venv", "--clear", str(VENV)], check=True
            )
            subprocess.run(
                [str(VENV / "bin" / "pip"), "install", "--quiet",
                 "--disable-pip-version-check", "-r", str(REQUIREMENTS)],
                check=True,
            )  # fmt: skip
            stamp.write_text(wanted)
    return VENV / "bin" / "checkov"


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
