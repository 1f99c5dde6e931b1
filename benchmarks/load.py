"""
Load: the app under gunicorn (3 sync workers, production settings) against
DynamoDB Local, on loopback only, in two bounded parts.

(a) mixed: --requests requests (default 3,000) from --clients concurrent
    clients (default 20): pages, API reads and writes (raise a PO, approve
    one, list). Reports errors (any answer but the one expected; the target
    is 0) and latency percentiles.
(b) hostile: --hostile requests (default 20) at once carrying hostile
    numbers (a PUT of a PO with `"version": 1E+999999999`, a PO raised with
    `"quantity": "1e1000000"`, an If-Match of 5,000 digits...), while a
    client asks `/health` every 50 ms. Reports each hostile answer and how
    long it took, and `/health`'s worst latency (the target is under 1 s).

Everything it starts (DynamoDB Local in memory, gunicorn) listens on
127.0.0.1 and is stopped at the end; files go to a temporary directory.
Every request has a time-out, so the run is bounded even when the app hangs.

    .venv/bin/python benchmarks/load.py
    .venv/bin/python benchmarks/load.py --requests 600 --clients 10
"""

import argparse
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from localdev import dynamodb_local  # noqa: E402

REQUEST_TIMEOUT = 60  # seconds; gunicorn's own worker time-out is 30
PASSWORD = "load-pass-2026"


def environment(workdir: Path, endpoint: str) -> dict[str, str]:
    """Production settings, with what a loopback-only run needs."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "DYNAMODB_ENDPOINT_URL": endpoint,
        "DYNAMODB_TABLE_PREFIX": "load-",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_STORAGE_BUCKET_NAME": "",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "ERROR",
    }


def seed() -> dict:
    """Tables, demo users and records; an API token and a session per user."""
    import django

    django.setup()
    from io import StringIO

    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.services import api_token_create
    from core import dynamo
    from vendors.selectors import vendor_list

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    dynamo.configure_models()
    dynamo.create_tables()
    call_command("seed_demo", "--password", PASSWORD, stdout=StringIO())
    call_command("refresh_dashboard", stdout=StringIO())
    users = {}
    for name in ["requester", "approver", "clerk", "treasurer", "auditor"]:
        user = get_user_model().objects.get(username=name)
        _, token = api_token_create(user=user, name="load")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        # The backend a password sign-in records (axes' comes first, and
        # only refuses); a money mover's session carries the second factor
        # the seed enrolled, as the code page records it.
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        users[name] = {"token": token, "session": session.session_key}
    vendors = [v.id for v in vendor_list(status="active", limit=20).items]
    return {"users": users, "vendors": vendors}


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "project.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--timeout",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=2).ok:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.3)
    stop(process)
    raise SystemExit("gunicorn did not answer /health within 60 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# --- (a) mixed load -----------------------------------------------------------


class Mixed:
    """The mixed requests: each call picks one, sends it, and records it."""

    PAGES = [
        ("auditor", "/"),
        ("clerk", "/vendors/"),
        ("requester", "/purchase-orders/"),
        ("clerk", "/invoices/"),
        ("treasurer", "/payment-runs/"),
        ("auditor", "/search/?q=PO"),
    ]
    API_READS = [
        ("clerk", "/api/v1/vendors?limit=20"),
        ("requester", "/api/v1/purchase-orders?limit=20"),
        ("clerk", "/api/v1/invoices?limit=20"),
        ("approver", "/api/v1/purchase-orders?status=pending&limit=20"),
    ]

    def __init__(self, base: str, seeded: dict):
        self.base, self.users, self.vendors = base, seeded["users"], seeded["vendors"]
        self.pending: list[tuple[str, int]] = []  # POs raised here, to approve
        self.lock = threading.Lock()
        self.results: list[tuple[str, int, float, bool]] = []
        self.local = threading.local()

    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session

    def send(self, kind, method, path, *, user, api, expected, **kwargs):
        headers = kwargs.pop("headers", {})
        cookies = None
        if api:
            headers["Authorization"] = f"Bearer {self.users[user]['token']}"
        else:
            cookies = {"sessionid": self.users[user]["session"]}
        started = time.perf_counter()
        try:
            answer = self.session().request(
                method,
                self.base + path,
                headers=headers,
                cookies=cookies,
                timeout=REQUEST_TIMEOUT,
                allow_redirects=False,
                **kwargs,
            )
            status = answer.status_code
        except requests.RequestException:
            answer, status = None, 0
        elapsed = time.perf_counter() - started
        with self.lock:
            self.results.append((kind, status, elapsed, status == expected))
        return answer if status == expected else None

    def one(self, index: int) -> None:
        roll = random.Random(index).random()
        if roll < 0.35:
            user, path = random.choice(self.PAGES)
            self.send("page", "GET", path, user=user, api=False, expected=200)
        elif roll < 0.65:
            user, path = random.choice(self.API_READS)
            self.send("api read", "GET", path, user=user, api=True, expected=200)
        elif roll < 0.85:
            body = {
                "vendor_id": random.choice(self.vendors),
                "items": [
                    {"description": "Load test item", "quantity": "2",
                     "unit_price": "12.50"},
                ],
            }  # fmt: skip
            answer = self.send(
                "create PO",
                "POST",
                "/api/v1/purchase-orders",
                user="requester",
                api=True,
                expected=201,
                json=body,
            )
            if answer is not None:
                po = answer.json()
                with self.lock:
                    self.pending.append((po["id"], po["version"]))
        else:
            with self.lock:
                po = self.pending.pop(0) if self.pending else None
            if po is None:
                self.send(
                    "api read",
                    "GET",
                    "/api/v1/purchase-orders?status=pending&limit=20",
                    user="approver",
                    api=True,
                    expected=200,
                )
                return
            po_id, version = po
            self.send(
                "approve PO",
                "PUT",
                f"/api/v1/purchase-orders/{po_id}/approve",
                user="approver",
                api=True,
                expected=200,
                json={"version": version},
            )


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49] * 1000, 1),
        "p90_ms": round(cuts[89] * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def mixed_load(base: str, seeded: dict, *, total: int, clients: int) -> dict:
    mixed = Mixed(base, seeded)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(mixed.one, range(total)))
    wall = time.perf_counter() - started
    by_kind: dict[str, dict] = {}
    for kind in sorted({r[0] for r in mixed.results}):
        rows = [r for r in mixed.results if r[0] == kind]
        by_kind[kind] = {
            "requests": len(rows),
            "errors": sum(1 for r in rows if not r[3]),
            **percentiles([r[2] for r in rows]),
        }
    errors = Counter(r[1] for r in mixed.results if not r[3])
    return {
        "requests": len(mixed.results),
        "clients": clients,
        "errors": sum(errors.values()),
        "error_statuses": dict(errors),
        "seconds": round(wall, 1),
        "requests_per_second": round(len(mixed.results) / wall, 1),
        **percentiles([r[2] for r in mixed.results]),
        "by_kind": by_kind,
    }


# --- (b) hostile numbers --------------------------------------------------------


def hostile_requests(base: str, seeded: dict, count: int) -> list[dict]:
    """`count` requests with hostile numbers, by a requester and by a nobody."""
    token = seeded["users"]["requester"]["token"]
    auditor = seeded["users"]["auditor"]["token"]
    po = requests.post(
        base + "/api/v1/purchase-orders",
        json={
            "vendor_id": seeded["vendors"][0],
            "items": [{"description": "x", "quantity": "1", "unit_price": "1.00"}],
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=REQUEST_TIMEOUT,
    ).json()
    url = f"{base}/api/v1/purchase-orders/{po['id']}"
    item = {"description": "x", "quantity": "1", "unit_price": "1.00"}
    kinds = [
        ("PUT version 1E+999999999", "PUT", url, token,
         '{"notes":"x","version":1E+999999999}', {}),
        ("PUT version 1E+999999999 (auditor)", "PUT", url, auditor,
         '{"notes":"x","version":1E+999999999}', {}),
        ("POST quantity \"1e1000000\"", "POST", base + "/api/v1/purchase-orders", token,
         json.dumps({"vendor_id": seeded["vendors"][0],
                     "items": [{**item, "quantity": "1e1000000"}]}), {}),
        ("PUT If-Match of 5,000 digits", "PUT", url, token, '{"notes":"x"}',
         {"If-Match": "9" * 5000}),
        ("PUT line total 1E+99999999", "PUT", url, token,
         '{"items":[{"description":"x","quantity":"1","unit_price":"1.00",'
         '"total_amount":1E+99999999}]}', {}),
    ]  # fmt: skip
    return [kinds[i % len(kinds)] for i in range(count)]


def hostile_load(base: str, seeded: dict, *, count: int) -> dict:
    health: list[float] = []
    health_errors = Counter()
    done = threading.Event()

    def watch_health():
        session = requests.Session()
        while not done.is_set():
            started = time.perf_counter()
            try:
                status = session.get(base + "/health", timeout=REQUEST_TIMEOUT)
                if status.status_code != 200:
                    health_errors[status.status_code] += 1
            except requests.RequestException:
                health_errors["no answer"] += 1
            health.append(time.perf_counter() - started)
            time.sleep(0.05)

    def send(spec):
        label, method, url, token, body, headers = spec
        started = time.perf_counter()
        try:
            answer = requests.request(
                method,
                url,
                data=body,
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                    **headers,
                },
                timeout=REQUEST_TIMEOUT,
            )
            status = answer.status_code
        except requests.RequestException as exc:
            status = type(exc).__name__
        return label, status, time.perf_counter() - started

    specs = hostile_requests(base, seeded, count)
    watcher = threading.Thread(target=watch_health)
    watcher.start()
    time.sleep(0.5)  # /health's latency before the burst
    barrier = threading.Barrier(len(specs))

    def at_once(spec):
        barrier.wait()
        return send(spec)

    with ThreadPoolExecutor(max_workers=len(specs)) as pool:
        answers = list(pool.map(at_once, specs))
    time.sleep(0.5)
    done.set()
    watcher.join()
    outcomes: dict[str, dict] = {}
    for label, status, elapsed in answers:
        row = outcomes.setdefault(label, {"statuses": Counter(), "max_s": 0.0})
        row["statuses"][str(status)] += 1
        row["max_s"] = round(max(row["max_s"], elapsed), 2)
    for row in outcomes.values():
        row["statuses"] = dict(row["statuses"])
    worst = max(health) if health else None
    return {
        "hostile_requests": len(specs),
        "outcomes": outcomes,
        "health_checks": len(health),
        "health_errors": dict(health_errors),
        "health_max_ms": round(worst * 1000, 1) if worst is not None else None,
        "health_p50_ms": round(statistics.median(health) * 1000, 1) if health else None,
        "health_target_met": worst is not None and worst < 1 and not health_errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--hostile", type=int, default=20)
    args = parser.parse_args()
    if not (1 <= args.requests <= 20_000 and 1 <= args.clients <= 100):
        parser.error("keep it bounded: at most 20,000 requests and 100 clients")

    workdir = Path(tempfile.mkdtemp(prefix="p2p-load-"))
    db_port, app_port = dynamodb_local.free_port(), dynamodb_local.free_port()
    dynamodb = dynamodb_local.start(port=db_port)
    app = None
    try:
        env = environment(workdir, f"http://127.0.0.1:{db_port}")
        os.environ.update(env)
        seeded = seed()
        app = start_gunicorn(env, app_port, args.workers)
        base = f"http://127.0.0.1:{app_port}"
        report = {
            "workers": args.workers,
            "mixed": mixed_load(
                base, seeded, total=args.requests, clients=args.clients
            ),
            "hostile": hostile_load(base, seeded, count=args.hostile),
        }
        print(json.dumps(report, indent=2))
    finally:
        if app is not None:
            stop(app)
        dynamodb_local.stop(dynamodb)


if __name__ == "__main__":
    main()
