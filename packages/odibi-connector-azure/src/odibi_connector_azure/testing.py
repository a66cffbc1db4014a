"""Test helpers: Azurite settings and a tiny HTTP proxy that fails requests on demand.

The proxy sits between a connection and the Azure Storage emulator (or any HTTP endpoint) and
answers the next ``n`` requests with a chosen status (``503`` throttling, ``403``...) instead of
forwarding them; every other request is forwarded unchanged. It counts what it did, so a test can
check that throttling was retried and that a refused credential was not::

    with FailingProxy(azurite_blob_url) as proxy:
        proxy.fail_next(2, 503)
        ... use account_url=proxy.url ...
        assert proxy.failed == 2
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

from odibi_core.testing.services import require_service_variable

AZURITE_ACCOUNT = "devstoreaccount1"
"""The emulator's well-known development account."""


def azurite_settings() -> dict[str, str]:
    """Blob URL, account key and connection string of the running Azurite (fails if none)."""
    return {
        "url": require_service_variable("ODIBI_TEST_AZURITE_BLOB_URL"),
        "key": require_service_variable("ODIBI_TEST_AZURITE_ACCOUNT_KEY"),
        "connection_string": require_service_variable("ODIBI_TEST_AZURITE_CONNECTION_STRING"),
    }


ERROR_CODES = {
    503: "ServerBusy",
    500: "InternalError",
    429: "TooManyRequests",
    403: "AuthorizationFailure",
    404: "BlobNotFound",
}
"""The ``x-ms-error-code`` the proxy sends with each failure status."""


class FailingProxy:
    """A forwarding HTTP proxy on 127.0.0.1 that can fail the next requests (see module doc)."""

    def __init__(self, target_url: str) -> None:
        parts = urlsplit(target_url)
        self._target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._path = parts.path.rstrip("/")
        self._lock = threading.Lock()
        self._failures: list[int] = []
        self.forwarded = 0
        self.failed = 0
        self.requests: list[tuple[str, str, str]] = []
        """``(method, path with query, range)`` of every forwarded request."""
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status = proxy._take_failure()
                if status is not None:
                    code = ERROR_CODES.get(status, "InternalError")
                    payload = (
                        f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code>'
                        f"<Message>failed on purpose by the test proxy</Message></Error>"
                    ).encode()
                    self.send_response(status)
                    self.send_header("x-ms-error-code", code)
                    self.send_header("Content-Length", str(len(payload)))
                    self.send_header("Content-Type", "application/xml")
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                upstream = http.client.HTTPConnection(*proxy._target, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                headers["Host"] = f"{proxy._target[0]}:{proxy._target[1]}"
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                upstream.close()
                with proxy._lock:  # counted before the client can see the answer
                    proxy.forwarded += 1
                    asked = self.headers.get("x-ms-range") or self.headers.get("Range") or ""
                    proxy.requests.append((self.command, self.path, asked))
                self.send_response(response.status, response.reason)
                for key, value in response.getheaders():
                    if key.lower() not in ("transfer-encoding", "content-length", "connection"):
                        self.send_header(key, value)
                # a HEAD answer has no body but tells the size of the blob
                head_length = (
                    response.getheader("Content-Length") if self.command == "HEAD" else None
                )
                self.send_header("Content-Length", head_length or str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The proxy's URL with the target's path (``http://127.0.0.1:PORT/devstoreaccount1``)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}{self._path}"

    def fail_next(self, count: int, status: int = 503) -> None:
        """Answer the next ``count`` requests with ``status`` instead of forwarding them."""
        with self._lock:
            self._failures.extend([status] * count)

    def _take_failure(self) -> int | None:
        with self._lock:
            if not self._failures:
                return None
            self.failed += 1
            return self._failures.pop(0)

    def __enter__(self) -> FailingProxy:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
