"""The harness's end of a sandboxed program's standard input: a socket, lines both ways.

``execution.Sandbox.run_pair`` runs two programs at once and gives each a ``Channel``; the
harness talks to both through them (``isolation.relay``), so that one program (the tests)
can call the other (the candidate) with nothing but plain data passing, each line read
bounded in length. The program's own standard output and error are collected apart.
"""

from __future__ import annotations

import select
import socket
import threading
import time


class Channel:
    """One program's standard input, held by the harness.

    ``execution`` attaches the socket once the program has started (``attach``) and says
    when the run is over (``finish``); the harness waits for either (``wait``), then sends
    and receives whole lines before a deadline. ``stop`` closes the socket and asks the
    run to end (its process group is killed if it does not end by itself)."""

    def __init__(self):
        self._sock: socket.socket | None = None
        self._buf = bytearray()
        self._event = threading.Event()
        self.stopped = threading.Event()
        self.why = ""  # why the last line could not be read

    # -- the sandbox's side --------------------------------------------------------------

    def attach(self, sock: socket.socket) -> None:
        if self.stopped.is_set():
            sock.close()
        else:
            self._sock = sock
        self._event.set()

    def finish(self) -> None:
        self._event.set()

    # -- the harness's side --------------------------------------------------------------

    def wait(self, deadline: float) -> bool:
        """Whether the program started (and has a socket) by ``deadline``."""
        self._event.wait(max(0.0, deadline - time.monotonic()))
        return self._sock is not None

    def send(self, line: str) -> bool:
        """Writes ``line`` and a newline; False when the program no longer reads."""
        if self._sock is None:
            return False
        try:
            self._sock.sendall(line.encode("utf-8", "surrogatepass") + b"\n")
            return True
        except OSError:
            return False

    def line(self, deadline: float, limit: int) -> str | None:
        """The next line (without its newline), or None (``why`` says: it ended, it was
        longer than ``limit`` bytes, or ``deadline`` passed)."""
        sock = self._sock
        if sock is None:
            self.why = "it did not start"
            return None
        while True:
            end = self._buf.find(b"\n")
            if end >= 0:
                line = bytes(self._buf[:end])
                del self._buf[:end + 1]
                return line.decode("utf-8", "replace")
            if len(self._buf) > limit:
                self.why = f"it wrote a line longer than {limit} bytes"
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                self.why = "it did not answer in time"
                return None
            try:
                ready, _, _ = select.select([sock], [], [], left)
                chunk = sock.recv(1 << 16) if ready else None
            except (OSError, ValueError):
                chunk = b""
            if chunk == b"":
                self.why = "it ended"
                return None
            if chunk:
                self._buf += chunk

    def stop(self) -> None:
        """Done talking: closes the socket and lets the run end (it is killed if it goes
        on)."""
        self.stopped.set()
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.close()
            except OSError:  # pragma: no cover - closing a socket we hold
                pass
