"""
A small HTTP proxy in front of DynamoDB Local: adds a fixed delay to every
request (as the network to the real service would) and counts requests by
DynamoDB operation (the X-Amz-Target header).

    proxy = LatencyProxy(upstream_port=8100, delay_ms=5); proxy.start()
    ... point the app at http://127.0.0.1:{proxy.port} ...
    proxy.counts  # {"Query": 51, "TransactWriteItems": 5000, ...}
"""

import asyncio
import socket
import threading
from collections import Counter


class LatencyProxy:
    def __init__(self, *, upstream_port: int, delay_ms: float = 5.0):
        self.upstream_port = upstream_port
        self.delay = delay_ms / 1000
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True).start()
        self._ready.wait(10)

    def reset(self) -> Counter:
        with self._lock:
            counts, self.counts = self.counts, Counter()
        return counts

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", self.port)
        )
        self._ready.set()
        self._loop.run_forever()

    async def _serve(self, client_reader, client_writer) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(
            "127.0.0.1", self.upstream_port
        )
        try:
            while True:
                head = await client_reader.readuntil(b"\r\n\r\n")
                length, target = _length_and_target(head)
                body = await client_reader.readexactly(length) if length else b""
                with self._lock:
                    self.counts[target.rsplit(".", 1)[-1] or "other"] += 1
                await asyncio.sleep(self.delay)
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
        finally:
            client_writer.close()
            upstream_writer.close()


def _length_and_target(head: bytes) -> tuple[int, str]:
    length, target = 0, ""
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        elif name.strip().lower() == "x-amz-target":
            target = value.strip()
    return length, target
