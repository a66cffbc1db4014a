"""``odibi state show`` and ``odibi state unlock`` on Azure state, as a user runs them."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

pytestmark = pytest.mark.azurite


def odibi(project: Any, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``odibi ARGS`` in the project's folder with its environment."""
    return subprocess.run(
        [sys.executable, "-m", "odibi_core.cli.main", *args],
        cwd=project.path.parent,
        env=project.env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_show_lists_the_blob_url_and_the_holder_and_unlock_breaks_it_after_confirmation(
    gated_project: Any,
) -> None:
    holder_backend = gated_project.backend(run_id="run-stuck")
    holder_backend.update(lambda doc: doc.pipeline("daily"))
    observer = gated_project.backend()
    with holder_backend.lock("pipeline.daily", timeout=5, run_id="run-stuck") as holder:
        shown = odibi(gated_project, "state", "show", str(gated_project.path))
        assert shown.returncode == 0, shown.stderr
        account = gated_project.env["ODIBI_TEST_AZURITE_BLOB_URL"]
        url = f"{account}/{gated_project.container}/tworunners/state.json"
        assert f"azure_blob at {url}" in shown.stdout
        assert holder.lock_id in shown.stdout
        assert "run-stuck" in shown.stdout

        refused = odibi(
            gated_project, "state", "unlock", holder.lock_id, str(gated_project.path), stdin="n\n"
        )
        assert refused.returncode == 0, refused.stderr  # declining is a clean answer
        assert "nothing was unlocked" in refused.stderr
        assert [h.lock_id for h in observer.holders()] == [holder.lock_id]

        unlocked = odibi(
            gated_project, "state", "unlock", holder.lock_id, str(gated_project.path), stdin="y\n"
        )
        assert unlocked.returncode == 0, unlocked.stderr
        assert f"unlocked: lock {holder.lock_id}" in unlocked.stdout
        assert observer.holders() == []


def test_a_lease_without_holder_info_is_shown_as_unknown_and_unlocked_by_lock_name(
    gated_project: Any,
) -> None:
    from azure.storage.blob import BlobClient, BlobLeaseClient

    backend = gated_project.backend()
    with backend.lock("pipeline.daily", timeout=5):
        pass  # creates the lock blob
    blob = BlobClient.from_connection_string(
        gated_project.env["ODIBI_TEST_AZURITE_CONNECTION_STRING"],
        gated_project.container,
        "tworunners/state.locks/pipeline.daily.lock",
    )
    with blob:
        BlobLeaseClient(blob).acquire(lease_duration=-1)  # another tool's infinite lease

    gated_project.open_gate()
    blocked = odibi(gated_project, "run", str(gated_project.path), "--lock-timeout", "1")
    assert blocked.returncode == 5
    assert "unknown holder" in blocked.stderr
    assert "odibi state unlock pipeline.daily" in blocked.stderr
    assert "Traceback" not in blocked.stderr

    shown = odibi(gated_project, "state", "show", str(gated_project.path))
    assert "unknown holder" in shown.stdout

    unlocked = odibi(
        gated_project, "state", "unlock", "pipeline.daily", str(gated_project.path), "--force"
    )
    assert unlocked.returncode == 0, unlocked.stderr
    assert "unknown holder" in unlocked.stdout
    ran = odibi(gated_project, "run", str(gated_project.path), "--lock-timeout", "5")
    assert ran.returncode == 0, ran.stderr


def test_unlocking_an_id_nobody_holds_is_a_one_line_usage_error(gated_project: Any) -> None:
    gated_project.backend().update(lambda doc: doc.pipeline("daily"))
    result = odibi(
        gated_project, "state", "unlock", "0123456789abcdef", str(gated_project.path), "--force"
    )
    assert result.returncode == 2
    assert "no lock with id 0123456789abcdef" in result.stderr
    assert "Traceback" not in result.stderr
