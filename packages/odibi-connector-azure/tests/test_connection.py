"""The connection against Azurite over HTTP: paths and globs, staging and publishing, stale
staging clean-up, fingerprints, throttling retried with backoff, refused credentials not retried."""

from __future__ import annotations

import pytest
from odibi_connector_azure.errors import AzureAccessDenied, AzurePathNotFound, AzureTransientError
from odibi_connector_azure.testing import FailingProxy
from odibi_core.contracts.requests import ReadRequest
from odibi_core.testing.engine_contract_files import dead_staging_name, live_staging_name


def _put(raw, name: str, data: bytes = b"x") -> None:
    raw.upload_blob(name, data, overwrite=True)


def test_paths_globs_and_folders(make_connection, raw):
    for name in (
        "base/sales/region=EU/a.parquet",
        "base/sales/region=US/b.parquet",
        "base/one.csv",
    ):
        _put(raw, name)
    lake = make_connection(base_path="base")
    assert lake.resolve("one.csv") == f"odibi-az-lake://{raw.container_name}/base/one.csv"
    assert lake.exists("one.csv")
    assert lake.exists("sales")
    assert lake.exists("sales/*/*.parquet")
    assert not lake.exists("sales/*.csv")
    assert not lake.exists("missing.csv")
    assert not lake.exists("one")


def test_staging_publish_and_discard(make_connection, raw):
    lake = make_connection()
    _put(raw, "out/data.csv", b"old")
    dead, live = f"out/{dead_staging_name('data.csv')}", f"out/{live_staging_name('data.csv')}"
    _put(raw, dead, b"left by a killed run")
    _put(raw, live, b"a concurrent run's")
    staging = lake.staging_path("out/data.csv")
    names = [b.name for b in raw.list_blobs()]
    assert dead not in names  # stale staging of this target: gone
    assert live in names  # a live writer's: kept
    raw.delete_blob(live)
    assert staging.startswith(f"odibi-az-lake://{raw.container_name}/out/.data.csv.odibi-tmp-")
    key = staging.split("/", 3)[3]
    _put(raw, key, b"new")
    assert raw.download_blob("out/data.csv").readall() == b"old"  # nothing visible before publish
    lake.publish(staging, "out/data.csv")
    assert raw.download_blob("out/data.csv").readall() == b"new"
    assert [b.name for b in raw.list_blobs()] == ["out/data.csv"]
    failed = lake.staging_path("out/data.csv")
    _put(raw, failed.split("/", 3)[3], b"half")
    lake.discard(failed)
    assert [b.name for b in raw.list_blobs()] == ["out/data.csv"]


def test_a_write_creates_the_container(make_connection, container, azurite):
    from azure.storage.blob import BlobServiceClient

    lake = make_connection()
    lake.staging_path("x.csv")
    with BlobServiceClient.from_connection_string(azurite["connection_string"]) as svc:
        assert svc.get_container_client(container).exists()


def test_fingerprint_follows_the_blobs(make_connection, raw):
    lake = make_connection()
    request = ReadRequest(format="csv", path="in/*.csv")
    assert lake.source_fingerprint(request) is None
    _put(raw, "in/a.csv", b"1")
    first = lake.source_fingerprint(request)
    assert first
    assert first == lake.source_fingerprint(request)
    _put(raw, "in/a.csv", b"2")
    second = lake.source_fingerprint(request)
    _put(raw, "in/b.csv", b"3")
    assert len({first, second, lake.source_fingerprint(request)}) == 3


def test_wrong_key_names_container_and_credential_kind(make_connection, raw, azurite):
    wrong = "A" * len(azurite["key"])
    lake = make_connection(account_key=wrong)
    with pytest.raises(AzureAccessDenied) as info:
        lake.resolve("x.csv")
    message = info.value.message
    assert f"container '{raw.container_name}'" in message
    assert "account key credential" in message
    assert wrong not in message
    assert azurite["key"] not in message
    assert not lake.check().ok
    assert "account key" in lake.check().detail


def test_missing_container_is_not_found(make_connection):
    with pytest.raises(AzurePathNotFound, match="not found"):
        make_connection().resolve("x.csv")


def test_throttling_is_retried_and_refusals_are_not(make_connection, raw, azurite):
    _put(raw, "a.csv")
    with FailingProxy(azurite["url"]) as proxy:
        lake = make_connection(account_url=proxy.url, max_retries=3)
        proxy.fail_next(2, 503)
        assert lake.exists("a.csv")
        assert proxy.failed == 2
        assert proxy.forwarded == 1
        proxy.fail_next(10, 503)
        with pytest.raises(AzureTransientError, match=r"still failing after retries \(HTTP 503"):
            lake.exists("a.csv")
        assert proxy.failed == 2 + 4  # the first attempt and three retries
        proxy._failures.clear()
        proxy.fail_next(5, 403)
        with pytest.raises(AzureAccessDenied):
            make_connection(name="other", account_url=proxy.url, max_retries=3).resolve("a.csv")
        assert proxy.failed == 2 + 4 + 1  # a refused credential is asked once
