"""
`make run`: DynamoDB Local (data under var/dynamodb), tables, users, then the app.

Ctrl-C stops both the app and DynamoDB Local.
"""

import argparse
import os
import signal
import subprocess
import sys

from localdev import dynamodb_local

ROOT = dynamodb_local.ROOT


def manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


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
        manage("index_vendor_tax_ids", env=env)  # vendors kept from before the index
        manage("index_search", env=env)  # records kept from before the token table
        manage("migrate", "--noinput", "-v", "0", env=env)
        manage("seed_demo", env=env)
        print(
            f"\n  P2P is starting at http://127.0.0.1:{options.port}/\n"
            "  Log in as clerk, requester, approver, approver2, treasurer, auditor\n"
            "  or admin (superuser); the password of new demo users is demo-pass-2026.\n"
            "  approver, approver2, treasurer and admin then enter a code from an\n"
            "  authenticator app set up with the key printed above; or run\n"
            "  .venv/bin/python -m localdev.demo_code for the current one.\n"
            "  Press Ctrl-C to stop the app and DynamoDB Local.\n"
        )
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{options.port}"],
            cwd=ROOT,
            env=env,
        )
        try:
            return server.wait()
        except KeyboardInterrupt:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=10)
            return 0
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
