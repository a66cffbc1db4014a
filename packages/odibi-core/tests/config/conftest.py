"""Fixtures of the configuration tests."""

from __future__ import annotations

import pytest

ONE_NODE_PROJECT = """\
project: demo
connections:
  raw: {type: local, base_path: ./data}
pipelines:
  - pipeline: p
    nodes:
      - name: a
        read: {connection: raw, path: a.csv}
"""


@pytest.fixture
def one_node_project() -> str:
    """A valid project file of one pipeline ``p`` with one node ``a`` (8 lines; append to it)."""
    return ONE_NODE_PROJECT
