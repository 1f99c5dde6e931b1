"""
The image (issue 20): no container engine runs in this sandbox (a docker
client without a daemon; buildah/podman not installed), so the Dockerfile is
linted by parsing it (dockerfile-parse) rather than built.
"""

import json
import re
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.backend_free


@pytest.fixture(scope="module")
def parsed():
    parser = DockerfileParser(path=str(ROOT / "Dockerfile"))
    return parser.structure


def _all(parsed, instruction):
    return [item["value"] for item in parsed if item["instruction"] == instruction]


def test_every_base_image_is_pinned_by_version(parsed):
    for base in _all(parsed, "FROM"):
        image = base.split()[0]
        assert re.fullmatch(
            r"[\w./-]+:\d+\.\d+\.\d+[\w.-]*(@sha256:[0-9a-f]{64})?", image
        ), image


def test_the_runtime_runs_as_a_user_not_root(parsed):
    users = _all(parsed, "USER")
    assert users and users[-1] not in {"root", "0"}


def test_a_healthcheck_asks_the_health_page(parsed):
    (check,) = _all(parsed, "HEALTHCHECK")
    assert "/health" in check and "curl" not in check


def test_no_secret_in_env(parsed):
    for env in _all(parsed, "ENV"):
        assert not re.search(r"SECRET|PASSWORD|TOKEN|AWS_ACCESS", env, re.I), env


def test_every_copied_path_exists(parsed):
    for value in _all(parsed, "COPY"):
        if "--from=" in value:
            continue
        sources = [part for part in value.split() if not part.startswith("--")][:-1]
        for source in sources:
            assert (ROOT / source).exists(), source


def test_gunicorn_has_the_timeouts_and_binds_all_interfaces(parsed):
    (cmd,) = _all(parsed, "CMD")
    line = " ".join(json.loads(cmd))
    assert "project.wsgi" in line and "--bind 0.0.0.0:8000" in line
    assert "--timeout 120" in line and "--graceful-timeout 30" in line
    assert "--workers ${GUNICORN_WORKERS}" in line


def test_dockerignore_keeps_the_venv_data_and_git_out():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".venv", "var", ".git", "node_modules"} <= ignored
