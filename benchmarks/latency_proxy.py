"""
A small HTTP proxy in front of DynamoDB Local: adds a fixed delay to every
request (as the network to the real service would) and counts requests by
DynamoDB operation (the X-Amz-Target header).

    proxy = LatencyProxy(upstream_port=8100, delay_ms=5); proxy.start()
    ... point the app at http://127.0.0.1:{proxy.port} ...
    proxy.reset()  # Counter({"TransactWriteItems": 500, "Query": 6, ...}), now zeroed
    proxy.stop()

The proxy runs in a child process (this file run as a script), not in a thread
of the benchmark: in a thread, every step of the proxy waits for the GIL while
the benchmark's own threads run Python, so "+5 ms" would cost far more than
5 ms a request, which a real network does not. The parent talks to the child
over its stdin and stdout, one line each way:

    child, once listening:   {"port": 8123}
    parent: reset            child: {"Query": 6, ...}   (the counts, then zeroed)
    parent: counts           child: {"Query": 6, ...}   (the counts, kept)

The child exits when its stdin closes: on `stop()`, or when the parent dies.

    python benchmarks/latency_proxy.py --upstream-port 8100 --delay-ms 5 --port 8101
"""

import argparse
import asyncio
import atexit
import json
import select
import socket
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path


class LatencyProxy:
    def __init__(self, *, upstream_port: int, delay_ms: float = 5.0):
        self.upstream_port = upstream_port
        self.delay_ms = delay_ms
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def start(self, timeout: float = 10) -> None:
        """Start the child process and wait until it listens on `port`."""
        self._process = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--upstream-port",
                str(self.upstream_port),
                "--delay-ms",
                str(self.delay_ms),
                "--port",
                str(self.port),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        atexit.register(self.stop)
        ready, _, _ = select.select([self._process.stdout], [], [], timeout)
        line = self._process.stdout.readline() if ready else b""
        if not line or json.loads(line).get("port") != self.port:
            self.stop()
            raise RuntimeError(f"latency proxy did not start on port {self.port}")

    def reset(self) -> Counter:
        """Return the requests counted by operation since the last reset; zero them."""
        return self._ask("reset")

    @property
    def counts(self) -> Counter:
        """The requests counted by operation since the last reset."""
        return self._ask("counts")

    def stop(self) -> None:
        """End the child process (closing its stdin); safe to call twice."""
        process, self._process = self._process, None
        if process is None:
            return
        process.stdin.close()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()

    def _ask(self, command: str) -> Counter:
        if self._process is None:
            raise RuntimeError("latency proxy is not running")
        with self._lock:
            self._process.stdin.write(f"{command}\n".encode())
            self._process.stdin.flush()
            line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("latency proxy exited")
        return Counter(json.loads(line))


# --- The child process ----------------------------------------------------


async def _run(*, upstream_port: int, delay: float, port: int) -> None:
    counts: Counter[str] = Counter()

    async def serve(client_reader, client_writer) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(
            "127.0.0.1", upstream_port
        )
        try:
            while True:
                head = await client_reader.readuntil(b"\r\n\r\n")
                length, target = _length_and_target(head)
                body = await client_reader.readexactly(length) if length else b""
                counts[target.rsplit(".", 1)[-1] or "other"] += 1
                await asyncio.sleep(delay)
                upstream_writer.write(head + body)
                await upstream_writer.drain()
                response_head = await upstream_reader.readuntil(b"\r\n\r\n")
                response_length, _ = _length_and_target(response_head)
                response_body = (
                    await upstream_reader.readexactly(response_length)
                    if response_length
                    else b""
                )
                client_writer.write(response_head + response_body)
                await client_writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except asyncio.CancelledError:
            pass  # shutting down: end quietly, as a closed connection does
        finally:
            client_writer.close()
            upstream_writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", port)
    _answer({"port": port})
    loop = asyncio.get_running_loop()
    control = asyncio.StreamReader()
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(control), sys.stdin
    )
    # Until stdin closes: stop() or the parent's death.
    while line := await control.readline():
        command = line.decode().strip()
        if command in ("reset", "counts"):
            _answer(dict(counts))
            if command == "reset":
                counts.clear()
        else:
            _answer({"error": f"unknown command {command!r}"})
    server.close()


def _answer(value: dict) -> None:
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


def _length_and_target(head: bytes) -> tuple[int, str]:
    length, target = 0, ""
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        elif name.strip().lower() == "x-amz-target":
            target = value.strip()
    return length, target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--upstream-port", type=int, required=True)
    parser.add_argument("--delay-ms", type=float, default=5.0)
    parser.add_argument("--port", type=int, required=True)
    options = parser.parse_args()
    try:
        asyncio.run(
            _run(
                upstream_port=options.upstream_port,
                delay=options.delay_ms / 1000,
                port=options.port,
            )
        )
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
