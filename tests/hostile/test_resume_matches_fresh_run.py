"""Promise: ``odibi run --resume`` leaves every output exactly as a fresh run would.

For every example project and test fixture project, Hypothesis draws a sequence of edits (change
an input file, edit a node's SQL, delete an output, make a node fail or fix it again, add a
node). After each edit the project is resumed in place, and the same files are run fresh in a
clean copy; the statuses must agree and every output the fresh run wrote must be identical.
The runs are in-process (the CLI path is covered by tests/state/test_resume_cli.py).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st


def _helpers():  # the helper module beside this file (tests are imported by path, not as a package)
    import importlib.util
    import sys

    name = "odibi_resume_differential"
    spec = importlib.util.spec_from_file_location(
        name, Path(__file__).with_name("resume_differential.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


helpers = _helpers()
EDIT_KINDS, PROJECTS, Workspace = helpers.EDIT_KINDS, helpers.PROJECTS, helpers.Workspace
ExampleProject = helpers.ExampleProject
apply_edit, clean_copy, compare = helpers.apply_edit, helpers.clean_copy, helpers.compare
prepare, run = helpers.prepare, helpers.run

EDITS = st.lists(
    st.tuples(st.sampled_from(EDIT_KINDS), st.integers(0, 999)), min_size=1, max_size=3
)


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
@settings(
    max_examples=4,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(edits=EDITS)
@example(edits=[("delete_output", 2)])  # found by this test: a CSV or 128-bit output read back
@example(edits=[("add_node", 0), ("add_node", 122)])  # found by this test: a passthrough's reruns
def test_resume_after_random_edits_matches_a_fresh_run(
    project: ExampleProject, edits: list[tuple[str, int]]
) -> None:
    with tempfile.TemporaryDirectory(prefix="odibi-resume-") as temp:
        workspace = Workspace(Path(temp) / "work")
        project.make(workspace.root)
        prepare(workspace)
        first = run(workspace.root, resume=False)
        assert all(n.status == "success" for n in first.values()), {
            k: v.error for k, v in first.items()
        }
        history: list[str] = []
        for step, (kind, pick) in enumerate(edits):
            history.append(apply_edit(workspace, kind, pick))
            resumed = run(workspace.root, resume=True)
            fresh = clean_copy(workspace, Path(temp) / f"fresh-{step}")
            compare(workspace, fresh, resumed, run(fresh.root, resume=False), history)


def test_an_unchanged_project_is_reused_whole_and_still_matches(tmp_path: Path) -> None:
    """The other half of the promise: resuming reuses what it safely can."""
    workspace = Workspace(tmp_path / "work")
    PROJECTS[0].make(workspace.root)
    prepare(workspace)
    for data in (workspace.root / "data").iterdir():  # inputs written long before the run
        import os

        os.utime(data, (data.stat().st_atime - 60, data.stat().st_mtime - 60))
    # utime itself sets the change time to now: wait out the racy window the source
    # fingerprint refuses (FINE_TICK_S) so the first run records a fingerprint at all
    time.sleep(0.3)
    run(workspace.root, resume=False)
    again = run(workspace.root, resume=True)
    assert {n.status for n in again.values()} == {"unchanged"}, {
        k: v.skipped_reason for k, v in again.items()
    }
