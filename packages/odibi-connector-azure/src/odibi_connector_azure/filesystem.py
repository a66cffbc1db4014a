"""The fsspec filesystem (adlfs) that DuckDB reads and writes an Azure connection through.

Each connection gets its own protocol name (``odibi-az-<connection>://container/path``), so two
connections to different accounts can live in one DuckDB database. The Azure client inside is
Odibi's (its retry policy and timeouts, its credential), not one adlfs builds from environment
variables. Azure SDK errors leave the filesystem as Odibi errors naming connection, container,
path and credential kind, so DuckDB's message carries a readable last line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from odibi_connector_azure.options import AzureAdlsOptions, AzureBlobOptions

_WRAPPED = ("_info", "_ls", "_cat_file", "_pipe_file", "_rm_file", "_exists", "_find", "_get_file")


def protocol_for(connection: str) -> str:
    """The fsspec protocol of connection ``connection`` (lower-case letters, digits, hyphens)."""
    return "odibi-az-" + (re.sub(r"[^a-z0-9]+", "-", connection.lower()).strip("-") or "x")


def _translating(
    method: Callable[..., Any], describe: Callable[[BaseException, str], BaseException | None]
) -> Any:
    @functools.wraps(method)
    async def wrapper(self: Any, path: Any = "", *args: Any, **kwargs: Any) -> Any:
        try:
            return await method(self, path, *args, **kwargs)
        except FileNotFoundError:
            raise
        except Exception as exc:
            error = describe(exc, str(path))
            if error is None:
                raise
            raise error from exc

    return wrapper


def build_filesystem(
    name: str,
    options: AzureBlobOptions | AzureAdlsOptions,
    describe: Callable[[BaseException, str], BaseException | None],
) -> Any:
    """An adlfs filesystem for connection ``name`` using Odibi's async client for ``options``."""
    from adlfs import AzureBlobFileSystem

    from odibi_connector_azure.credentials import account_name, service_client

    protocol = protocol_for(name)

    def do_connect(self: Any) -> None:
        self.service_client = service_client(options, aio=True)

    attributes: dict[str, Any] = {"protocol": (protocol,), "do_connect": do_connect}
    for method_name in _WRAPPED:
        method = getattr(AzureBlobFileSystem, method_name, None)
        if method is not None:
            attributes[method_name] = _translating(method, describe)
    cls = type(
        f"OdibiAzureFileSystem_{protocol.replace('-', '_')}", (AzureBlobFileSystem,), attributes
    )
    # anon=True: adlfs must not build credentials of its own from AZURE_* variables
    return cls(
        account_name=account_name(options),
        anon=True,
        skip_instance_cache=True,
        assume_container_exists=True,
        blocksize=options.block_size_mib * 2**20,  # bounded read-ahead: memory stays flat
    )
