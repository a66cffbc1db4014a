"""A standard-library HTTP client for the SDK's OTLP/HTTP exporters.

The SDK's OTLP/HTTP exporters send through ``requests`` by default. Importing ``requests`` (with
``urllib3``, ``charset_normalizer``, ``idna``, ``certifi`` and ``http.cookiejar``) costs a
telemetry-enabled ``odibi run`` more CPU than encoding and posting all of its spans.
:class:`StdlibHTTPTransport` does the one thing an OTLP export needs, a ``POST`` over one kept-alive
connection, with ``http.client`` and ``ssl``, honouring the same certificate settings
(``OTEL_EXPORTER_OTLP_[SIGNAL_]CERTIFICATE``, ``..._CLIENT_CERTIFICATE``, ``..._CLIENT_KEY``).

It is used only where it gives what the default client would: :func:`stdlib_transport` returns
``None`` (the SDK then builds its ``requests`` client) when a proxy variable or an OTLP
credential-provider session is configured, when the endpoint URL carries a user or password, or,
for an ``https`` endpoint, a ``requests`` CA-bundle variable; the exporter is built with the
default client, too, when the installed exporter release has no pluggable transport.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from opentelemetry.exporter.http.transport._base import BaseHTTPResult, BaseHTTPTransport

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
"""Proxy variables (any case) ``requests`` honours: with one set, its client is kept."""

CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
"""CA bundles only ``requests`` reads: with one set, an ``https`` endpoint keeps ``requests``."""


@dataclass(frozen=True, slots=True)
class StdlibHTTPResult(BaseHTTPResult):
    """The outcome of one request: status and body, or the error that prevented a response."""

    body: bytes = b""
    header_map: Any = field(default_factory=dict, hash=False, compare=False)
    """``http.client``'s header message (its ``get`` ignores case), or a mapping."""

    def content(self) -> bytes:
        """The response body."""
        return self.body

    def headers(self) -> Mapping[str, str]:
        """The response headers (``http.client``'s message: case-insensitive ``get``)."""
        return self.header_map


class StdlibHTTPTransport(BaseHTTPTransport):
    """``POST`` over one kept-alive ``http.client`` connection per transport (one exporter).

    Args:
        verify: ``True`` (system CAs), ``False`` (no verification) or a CA bundle path.
        cert: A client certificate path, or ``(certificate, key)`` paths (mutual TLS).

    Attributes:
        verify: As given.
        cert: As given.
    """

    def __init__(self, *, verify: bool | str = True, cert: str | tuple[str, str] | None = None):
        self.verify = verify
        self.cert = cert
        self._context: ssl.SSLContext | None = None
        self._connection: http.client.HTTPConnection | None = None
        self._origin: tuple[str, str, int | None] | None = None
        self._lock = threading.Lock()
        self._closed = False

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
        data: bytes | None = None,
    ) -> BaseHTTPResult:
        """Send one request and read the whole response; a failure is returned, never raised."""
        with self._lock:
            try:
                if self._closed:
                    raise ConnectionAbortedError("the transport was closed")
                connection, path = self._connection_for(url, timeout)
                connection.request(method, path, body=data, headers=headers or {})
                response = connection.getresponse()
                body = response.read()
                if response.will_close:
                    self._drop()
                return StdlibHTTPResult(
                    status_code=response.status,
                    reason=response.reason,
                    body=body,
                    header_map=response.msg,
                )
            except Exception as error:
                self._drop()
                return StdlibHTTPResult(error=error)

    def is_connection_error(self, exception: Exception | None) -> bool:
        """Whether ``exception`` is a transport-level failure (refused, reset, timed out, TLS)."""
        return isinstance(exception, (OSError, http.client.HTTPException))

    def close(self) -> None:
        """Close the connection; a request blocked on it returns with an error at once."""
        self._closed = True
        connection = self._connection
        if connection is None:
            return
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # wakes a thread blocked reading from it
                sock.shutdown(socket.SHUT_RDWR)
        connection.close()

    def _connection_for(
        self, url: str, timeout: float | None
    ) -> tuple[http.client.HTTPConnection, str]:
        parts = urlsplit(url)
        origin = (parts.scheme, parts.hostname or "", parts.port)
        if self._connection is None or origin != self._origin:
            self._drop()
            self._connection = self._connect(parts.scheme, parts.hostname or "", parts.port)
            self._origin = origin
        connection = self._connection
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return connection, path

    def _connect(self, scheme: str, host: str, port: int | None) -> http.client.HTTPConnection:
        if scheme == "https":
            return http.client.HTTPSConnection(host, port, context=self._ssl_context())
        if scheme == "http":
            return http.client.HTTPConnection(host, port)
        raise ValueError(f"unsupported URL scheme {scheme!r}")

    def _ssl_context(self) -> ssl.SSLContext:
        if self._context is None:
            if self.verify is False:
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            else:
                cafile = self.verify if isinstance(self.verify, str) else None
                context = ssl.create_default_context(cafile=cafile)
            if isinstance(self.cert, tuple):
                context.load_cert_chain(self.cert[0], self.cert[1])
            elif self.cert:
                context.load_cert_chain(self.cert)
            self._context = context
        return self._context

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None


def stdlib_transport(
    signal: str, endpoint: str, environ: Mapping[str, str] | None = None
) -> StdlibHTTPTransport | None:
    """A :class:`StdlibHTTPTransport` configured as the SDK would configure ``requests`` for
    ``signal``, or ``None`` where only ``requests`` would give the same connection.

    ``None`` when a proxy variable or an OTLP credential-provider variable is set, when the
    endpoint has a user or password in it, or, for an ``https`` endpoint, when a ``requests``
    CA-bundle variable is set.

    Args:
        signal: ``"traces"`` or ``"metrics"``: whose ``OTEL_EXPORTER_OTLP_<SIGNAL>_*`` certificate
            variables apply.
        endpoint: The URL exports go to.
        environ: The environment the SDK reads (default: ``os.environ``).
    """
    env = os.environ if environ is None else environ
    present = {key.upper() for key, value in env.items() if value}
    credential_provider = (
        "OTEL_PYTHON_EXPORTER_OTLP_HTTP_CREDENTIAL_PROVIDER",
        f"OTEL_PYTHON_EXPORTER_OTLP_HTTP_{signal.upper()}_CREDENTIAL_PROVIDER",
    )
    requests_only: tuple[str, ...] = PROXY_VARIABLES + credential_provider
    url = urlsplit(endpoint)
    if url.scheme != "http":
        requests_only += CA_BUNDLE_VARIABLES
    if not present.isdisjoint(requests_only) or url.username or url.password:
        return None  # requests sends a URL's user and password as basic authentication

    def setting(name: str) -> str | None:
        return (
            env.get(f"OTEL_EXPORTER_OTLP_{signal.upper()}_{name}")
            or env.get(f"OTEL_EXPORTER_OTLP_{name}")
            or None
        )

    verify: bool | str = setting("CERTIFICATE") or True
    certificate, key = setting("CLIENT_CERTIFICATE"), setting("CLIENT_KEY")
    cert = (certificate, key) if certificate and key else certificate
    return StdlibHTTPTransport(verify=verify, cert=cert)
