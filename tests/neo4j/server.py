"""A real Neo4j 5.26 (community) for the tests: build, start, stop, kill, restart.

The server is the Maven module ``tests/neo4j/harness`` (a Java ``main`` on
the embedded Neo4j of ``org.neo4j.test:neo4j-harness``, resolved from Maven
Central into ``~/.m2``): Bolt on 127.0.0.1 only, authentication on (user
``neo4j``), data kept in a home directory so a killed server restarts on the
same data. Needs a JDK 17+ and Maven (Debian: ``default-jdk-headless maven``;
the README's test command installs them when missing).

Start one by hand (builds the module first when needed; Ctrl-C stops it)::

    python -m tests.neo4j.server --port 7690 [--password PW] [--heap 2g] [--home DIR]

then e.g. ``NEO4J_TEST_URI=bolt://127.0.0.1:7690 NEO4J_TEST_USER=neo4j
NEO4J_TEST_PASSWORD=PW python -m pytest tests/neo4j`` or ``python app.py
push --neo4j-uri bolt://127.0.0.1:7690 --neo4j-user neo4j …``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["HARNESS", "NEO4J_VERSION", "DEFAULT_PASSWORD", "Neo4jServer", "build", "start_neo4j", "main"]

HARNESS = Path(__file__).resolve().parent / "harness"
#: The Neo4j version the module pins (pom.xml ``neo4j.version``).
NEO4J_VERSION = "5.26.30"
DEFAULT_PASSWORD = "partnernetz-test"
_MAIN = "partnernetz.TestServer"


def _classpath() -> str:
    target = HARNESS / "target"
    return os.pathsep.join([str(target / "classes"), str(target / "lib" / "*")])


def _built() -> bool:
    marker = HARNESS / "target" / "classes" / "partnernetz" / "TestServer.class"
    lib = HARNESS / "target" / "lib"
    if not marker.exists() or not lib.is_dir() or not any(lib.glob("neo4j-kernel-*.jar")):
        return False
    sources = [HARNESS / "pom.xml", *(HARNESS / "src").rglob("*.java")]
    return marker.stat().st_mtime >= max(p.stat().st_mtime for p in sources)


def build(*, quiet: bool = True) -> None:
    """``mvn package`` the harness module unless it is built and up to date.

    Raises ``RuntimeError`` naming what is missing (no Java, no Maven) or
    Maven's output when the build fails."""
    if _built():
        return
    for tool, package in (("java", "default-jdk-headless"), ("mvn", "maven")):
        if shutil.which(tool) is None:
            raise RuntimeError(f"`{tool}` not found: install it (Debian: apt-get install {package}) to build "
                               f"the Neo4j test server in {HARNESS}")
    cmd = ["mvn", "-B", *(["-q"] if quiet else []), "-f", str(HARNESS / "pom.xml"), "package"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"building the Neo4j test server failed ({' '.join(cmd)}):\n"
                           f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}")


@dataclass
class Neo4jServer:
    """A running Neo4j started by :func:`start_neo4j` (one Java process)."""

    process: subprocess.Popen
    port: int
    password: str
    home: Path
    log_path: Path
    heap: str
    page_cache_mb: int
    own_home: bool = True
    _stopped: bool = field(default=False, repr=False)

    user = "neo4j"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def _signal(self, sig: int) -> None:
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, *, remove: bool = True) -> None:
        """Shut down cleanly (close stdin; SIGTERM, then SIGKILL if it hangs);
        remove the home directory when this object created it and ``remove``."""
        if not self._stopped:
            self._stopped = True
            if self.alive():
                try:
                    self.process.stdin.close()
                except (OSError, AttributeError):
                    pass
                try:
                    self.process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    self._signal(signal.SIGTERM)
                    try:
                        self.process.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        self._signal(signal.SIGKILL)
                        self.process.wait(timeout=10)
        if remove and self.own_home:
            shutil.rmtree(self.home, ignore_errors=True)

    def kill(self) -> None:
        """SIGKILL, as a crash or an operator's ``kill -9`` would (data stays in the home)."""
        if self.alive():
            self._signal(signal.SIGKILL)
            self.process.wait(timeout=30)
        self._stopped = True

    def restart(self, *, timeout: float = 240.0) -> "Neo4jServer":
        """Start again on the same port and home (after :meth:`kill` or :meth:`stop` with ``remove=False``)."""
        if self.alive():
            self.stop(remove=False)
        fresh = start_neo4j(port=self.port, password=self.password, home=self.home, heap=self.heap,
                            page_cache_mb=self.page_cache_mb, timeout=timeout)
        fresh.own_home = self.own_home
        return fresh


def start_neo4j(*, port: int, password: str = DEFAULT_PASSWORD, home: Path | None = None, heap: str = "1g",
                page_cache_mb: int = 256, timeout: float = 240.0) -> Neo4jServer:
    """Build if needed, start Neo4j with Bolt on 127.0.0.1:``port`` and wait
    until it prints that it is ready (≈ 20–40 s on a busy machine)."""
    build()
    own = home is None
    home = Path(home) if home is not None else Path(tempfile.mkdtemp(prefix="partnernetz-neo4j-"))
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / "server.out"
    offset = log_path.stat().st_size if log_path.exists() else 0  # a restart appends to the log
    cmd = ["java", f"-Xmx{heap}", "-cp", _classpath(), _MAIN, str(port), password, str(home), str(page_cache_mb)]
    log = log_path.open("ab")
    process = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    log.close()
    server = Neo4jServer(process, port, password, home, log_path, heap, page_cache_mb, own_home=own)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.alive():
            raise RuntimeError(f"Neo4j exited with {process.returncode}:\n{server.log_tail()}")
        with log_path.open("rb") as f:
            f.seek(offset)
            if f"READY bolt://127.0.0.1:{port}".encode() in f.read():
                return server
        time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"Neo4j did not get ready on port {port} within {timeout}s:\n{server.log_tail()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.neo4j.server",
                                     description=f"Start Neo4j {NEO4J_VERSION} community for tests (Ctrl-C stops it).")
    parser.add_argument("--port", type=int, required=True, help="Bolt port on 127.0.0.1")
    parser.add_argument("--password", default=DEFAULT_PASSWORD, help="password of the user neo4j")
    parser.add_argument("--heap", default="1g", help="Java heap, e.g. 2g")
    parser.add_argument("--page-cache-mb", type=int, default=512)
    parser.add_argument("--home", type=Path, help="data directory (kept; default: a temporary one, removed)")
    parser.add_argument("--build-only", action="store_true", help="only build the Maven module")
    args = parser.parse_args(argv)
    build(quiet=False)
    if args.build_only:
        return 0
    server = start_neo4j(port=args.port, password=args.password, home=args.home, heap=args.heap,
                         page_cache_mb=args.page_cache_mb)
    print(f"Neo4j {NEO4J_VERSION} ready: {server.uri} user {server.user} password {server.password} "
          f"(home {server.home}; Ctrl-C stops)", flush=True)

    def _stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        while server.alive():
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
