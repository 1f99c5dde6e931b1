"""
`make run` (localdev.run) as a developer meets it on a fresh machine: the
dashboard's figures computed before the first page, the demo seed's e-mails
kept off the terminal, links in e-mails pointing at the port the app runs on,
and a banner, printed once the app answers, naming every demo user.
"""

import subprocess
import sys

import pytest

from localdev import demo, run


class FakeServer:
    def __init__(self, *args, **kwargs):
        self.args, self.env = args[0], kwargs["env"]

    def poll(self):
        return None

    def wait(self, timeout=None):
        return 0

    def terminate(self):
        pass


@pytest.fixture
def started(monkeypatch, capsys):
    """Run localdev.run.main() on PORT 8123 with every subprocess recorded."""
    commands = []
    servers = []

    def fake_run(args, *, cwd, env, check):
        commands.append((args[2:], env))
        return subprocess.CompletedProcess(args, 0)

    def fake_popen(*args, **kwargs):
        servers.append(FakeServer(*args, **kwargs))
        return servers[-1]

    monkeypatch.setattr(run.dynamodb_local, "port_open", lambda port: True)
    monkeypatch.setattr(run.subprocess, "run", fake_run)
    monkeypatch.setattr(run.subprocess, "Popen", fake_popen)
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    monkeypatch.delenv("APP_BASE_URL", raising=False)
    monkeypatch.setattr(sys, "argv", ["run", "--port", "8123"])
    assert run.main() == 0
    return commands, servers, capsys.readouterr().out


def test_the_dashboard_figures_are_computed_after_the_seed(started):
    commands, _servers, _out = started
    names = [args[0] for args, _env in commands]
    assert names.index("refresh_dashboard") > names.index("seed_demo")


def test_the_seed_s_e_mails_go_to_files_not_over_the_banner(started):
    commands, servers, _out = started
    seed_env = next(env for args, env in commands if args[0] == "seed_demo")
    assert seed_env["EMAIL_BACKEND"] == run.FILE_MAIL
    assert seed_env["EMAIL_FILE_PATH"] == str(run.MAIL_DIR)
    # The app itself still prints the mails it sends (the console backend).
    assert "EMAIL_BACKEND" not in servers[0].env


def test_e_mail_links_point_at_the_port_the_app_runs_on(started):
    commands, servers, _out = started
    assert servers[0].args[-1] == "127.0.0.1:8123"
    for _args, env in commands:
        assert env["APP_BASE_URL"] == "http://127.0.0.1:8123"
    assert servers[0].env["APP_BASE_URL"] == "http://127.0.0.1:8123"


def test_the_banner_names_every_demo_user_last(started):
    _commands, _servers, out = started
    banner = out[out.index("P2P is running at http://127.0.0.1:8123/") :]
    for username, _role, _limit in demo.DEMO_USERS:
        assert username in banner
    assert "clerk2" in banner and "admin (superuser)" in banner
    assert demo.DEMO_PASSWORD in banner


def test_a_mail_backend_the_developer_chose_is_kept_for_the_seed():
    env = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"}
    assert run.seed_environment(env) == env


def test_the_mail_outbox_is_sent_after_the_seed_and_drained_beside_the_app(started):
    commands, servers, _out = started
    names = [args[0] for args, _env in commands]
    assert names.index("send_mail_outbox") > names.index("seed_demo")
    seed_send = commands[names.index("send_mail_outbox")][1]
    assert seed_send["EMAIL_BACKEND"] == run.FILE_MAIL  # the seed's go to var/mail
    drainer = servers[1]
    assert drainer.args[2:] == ["send_mail_outbox", "--every", "2"]
    assert "index_pending_purchase_orders" in names
