"""
`make run`: DynamoDB Local (data under var/dynamodb), tables, users, the
dashboard's figures, then the app (with a loop sending the mail outbox),
and a banner once it answers.

Ctrl-C stops both the app and DynamoDB Local.
"""

import argparse
import os
import signal
import subprocess
import sys
import time

from localdev import demo, dynamodb_local

ROOT = dynamodb_local.ROOT
MAIL_DIR = ROOT / "var" / "mail"
FILE_MAIL = "django.core.mail.backends.filebased.EmailBackend"
# How long the banner waits for the app to answer before printing anyway.
SERVER_START_SECONDS = 30


def manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def seed_environment(env: dict) -> dict:
    """The seed's environment: its e-mails (a few dozen approval requests and
    approvals) go to files under var/mail, not over the banner, unless the
    developer chose a mail backend."""
    if "EMAIL_BACKEND" in env:
        return env
    return {**env, "EMAIL_BACKEND": FILE_MAIL, "EMAIL_FILE_PATH": str(MAIL_DIR)}


def mail_count() -> int:
    return len(list(MAIL_DIR.glob("*.log"))) if MAIL_DIR.is_dir() else 0


def banner(*, port: int, seed_mails: int) -> str:
    lines = [f"P2P is running at http://127.0.0.1:{port}/", *demo.sign_in_lines()]
    if seed_mails:
        where = MAIL_DIR.relative_to(ROOT)
        lines.append(f"The demo data's e-mails are in {where}/ ({seed_mails} files).")
    lines.append("Press Ctrl-C to stop the app and DynamoDB Local.")
    rule = "=" * max(len(line) for line in lines)
    return "\n".join(["", rule, *lines, rule, ""])


def wait_until_answering(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        if dynamodb_local.port_open(port):
            return
        time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    parser.add_argument(
        "--dynamodb-port",
        type=int,
        default=int(os.environ.get("DYNAMODB_LOCAL_PORT", 8100)),
    )
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)

    env = dict(os.environ)
    endpoint = f"http://127.0.0.1:{options.dynamodb_port}"
    env.setdefault("DYNAMODB_ENDPOINT_URL", endpoint)
    env.setdefault("DEBUG", "true")
    # The demo company's VAT id: its reverse-charge invoice names both parties'.
    env.setdefault("COMPANY_VAT_ID", "DE811907980")
    # Links in e-mails point where this app answers, whatever PORT is.
    env.setdefault("APP_BASE_URL", f"http://127.0.0.1:{options.port}")

    database = None
    try:
        if dynamodb_local.port_open(options.dynamodb_port):
            print(
                f"Using the DynamoDB already answering on port {options.dynamodb_port}."
            )
        else:
            data_dir = ROOT / "var" / "dynamodb"
            print(f"Starting DynamoDB Local on {endpoint} (data in {data_dir}) ...")
            database = dynamodb_local.start(
                port=options.dynamodb_port,
                db_path=data_dir,
                log_path=ROOT / "var" / "dynamodb-local.log",
            )
        manage("create_tables", env=env)
        # Index keys for records kept from before their index existed.
        manage("index_vendors", env=env)
        manage("index_rejected_purchase_orders", env=env)
        manage("index_pending_purchase_orders", env=env)
        manage("index_search", env=env)
        manage("migrate", "--noinput", "-v", "0", env=env)
        mails_before = mail_count()
        manage("seed_demo", env=seed_environment(env))
        # The seed's mails wait in the outbox: send them where the seed's go.
        manage("send_mail_outbox", "--limit", "1000", env=seed_environment(env))
        seed_mails = mail_count() - mails_before
        # The dashboard's figures are otherwise computed by the first
        # reconciliation run; a fresh start shows them at once.
        manage("refresh_dashboard", env=env)
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{options.port}"],
            cwd=ROOT,
            env=env,
        )
        # The app's mails wait in the outbox (core.mail_outbox); this loop
        # sends them, as the scheduled `send_mail_outbox` does in production.
        drainer = subprocess.Popen(
            [sys.executable, "manage.py", "send_mail_outbox", "--every", "2"],
            cwd=ROOT,
            env=env,
        )
        try:
            wait_until_answering(options.port, server)
            print(banner(port=options.port, seed_mails=seed_mails), flush=True)
            return server.wait()
        except KeyboardInterrupt:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=10)
            return 0
        finally:
            if drainer.poll() is None:
                drainer.terminate()
                drainer.wait(timeout=10)
    except dynamodb_local.DynamoDBLocalError as exc:
        print(f"make run: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"make run: `{' '.join(exc.cmd[1:])}` failed (exit {exc.returncode}).",
              file=sys.stderr)  # fmt: skip
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        if database is not None:
            dynamodb_local.stop(database)
            print("Stopped DynamoDB Local.")


if __name__ == "__main__":
    sys.exit(main())
