"""A run cut off from storage loses its lease when renewal fails, and then refuses to write.

The backend talks to Azurite through a TCP forwarder on 127.0.0.1 that the test can cut: real
sockets, real connection failures, no fake SDK.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from odibi_core.testing.state_contract import bump, counter_value
from odibi_state_azure.errors import StateLockLost

pytestmark = [pytest.mark.azurite, pytest.mark.slow]


class CuttableForwarder:
    """Forwards 127.0.0.1:<port> to a target; :meth:`cut` drops all connections until restored."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._cut = threading.Event()
        self._closed = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self._cut.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets |= {client, upstream}
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while chunk := src.recv(65536):
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.close()

    def cut(self) -> None:
        """Close every open connection and refuse new ones (they are accepted, then closed)."""
        self._cut.set()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def restore(self) -> None:
        """Forward again."""
        self._cut.clear()

    def close(self) -> None:
        """Stop listening and drop everything."""
        self._closed.set()
        self.cut()
        self.listener.close()


@pytest.fixture
def forwarder(azurite: dict[str, str]) -> Iterator[CuttableForwarder]:
    """A forwarder to Azurite's blob port."""
    url = urlsplit(azurite["ODIBI_TEST_AZURITE_BLOB_URL"])
    proxy = CuttableForwarder((url.hostname or "127.0.0.1", url.port or 10000))
    yield proxy
    proxy.close()


def test_a_lease_that_cannot_be_renewed_is_lost_and_later_writes_are_refused(
    make_azure_backend: Callable[..., Any], azurite: dict[str, str], forwarder: CuttableForwarder
) -> None:
    account = urlsplit(azurite["ODIBI_TEST_AZURITE_BLOB_URL"]).path
    runner = make_azure_backend(
        account_url=f"http://127.0.0.1:{forwarder.port}{account}",
        account_key=azurite["ODIBI_TEST_AZURITE_ACCOUNT_KEY"],
        lease_duration=15,
        run_id="run-cut",
    )
    other = make_azure_backend(lease_duration=15, run_id="run-next")
    with runner.lock("pipeline.p", timeout=5, run_id="run-cut"):
        lease = runner._held["pipeline.p"]
        forwarder.cut()
        cut_at = time.monotonic()
        while not lease.lost and time.monotonic() - cut_at < 15 + 5:
            time.sleep(0.1)
        assert lease.lost, "the lease was not marked lost while renewals failed"
        assert "could not renew it" in (lease.lost_reason or "")
        assert time.monotonic() - cut_at <= 15  # declared lost before it could have expired

        # the lease expires on the service's side and another run proceeds
        with other.lock("pipeline.p", timeout=10, run_id="run-next"):
            other.update(bump)

        forwarder.restore()
        with pytest.raises(StateLockLost) as caught:
            runner.update(bump)
        assert "could not renew it" in caught.value.message
        assert "nothing was written" in caught.value.message
    assert counter_value(other.read()) == 1  # only the run that held the lock wrote
