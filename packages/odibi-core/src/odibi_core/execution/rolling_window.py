"""The rolling-window incremental mode: read only rows newer than *now minus a lookback*.

``read.incremental`` with ``mode: rolling_window`` keeps no high-water mark: every run reads the
rows whose ``column`` is later than the run's start minus ``lookback`` ``unit`` s. While the node's
write target does not exist yet (the first run), everything is read, so the first run fills the
target. Months count as 30 days and years as 365, as in the original Odibi's mode of this name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from odibi_core.execution.targets import write_target_exists

if TYPE_CHECKING:
    from odibi_core.config.models import IncrementalConfig, NodeConfig
    from odibi_core.contracts.connection import Connection
    from odibi_core.execution.formats import FormatDispatch

UNIT_DAYS = {"hour": 1 / 24, "day": 1, "month": 30, "year": 365}
"""Length of each lookback unit in days."""


def window_start(incremental: IncrementalConfig, now: dt.datetime) -> dt.datetime:
    """The earliest time a row may have to be read: ``now`` minus the lookback."""
    days = UNIT_DAYS[incremental.unit] * (incremental.lookback or 0)
    return now - dt.timedelta(days=days)


def rolling_lower_bound(
    node: NodeConfig,
    connections: Mapping[str, Connection],
    now: dt.datetime | None = None,
    formats: FormatDispatch | None = None,
) -> Any:
    """The ``incremental_after`` bound of a rolling-window read, or ``None`` to read everything."""
    read = node.read
    if read is None or read.incremental is None:
        raise ValueError(f"node {node.name!r} has no read.incremental")
    if node.write is not None and not write_target_exists(node, connections, formats):
        return None
    return window_start(read.incremental, now or dt.datetime.now())
