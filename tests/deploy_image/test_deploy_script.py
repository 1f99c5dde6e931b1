"""`make deploy` without STAGE or AWS credentials stops at once with a message."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.backend_free


def _run(env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    clean.update(
        env, AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent"
    )
    return subprocess.run(
        ["sh", "deploy/deploy.sh"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_stage_it_says_so():
    result = _run({"STAGE": ""})
    assert result.returncode == 1
    assert "STAGE is missing" in result.stderr and "Traceback" not in result.stderr


def test_without_credentials_it_says_so():
    result = _run({"STAGE": "test", "AWS_EC2_METADATA_DISABLED": "true"})
    assert result.returncode == 1
    assert "no AWS credentials" in result.stderr and "Traceback" not in result.stderr
