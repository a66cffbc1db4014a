"""DuckDB frame lineage: a frame dies with its last reader, however long the lineage."""

from __future__ import annotations

from odibi_core.engines.duck_frames import DuckFrame, collect_droppable


def chain(length: int) -> list[DuckFrame]:
    frames = [DuckFrame("s0.v", "s0")]
    for i in range(1, length):
        parent = frames[-1]
        parent.live_children += 1
        frames.append(DuckFrame(f"s{i}.v", f"s{i}", parents=[parent]))
    return frames


def test_a_lineage_thousands_deep_is_collected_without_recursion() -> None:
    frames = chain(5000)
    for frame in frames:
        frame.released = True
    dropped = collect_droppable(frames[-1])
    assert len(dropped) == 5000
    assert collect_droppable(frames[-1]) == []  # never collected twice


def test_a_frame_read_by_a_live_child_is_kept() -> None:
    frames = chain(3)
    frames[0].released = frames[1].released = True
    assert collect_droppable(frames[1]) == []  # frames[2] still reads it
    frames[2].released = True
    assert [f.ref for f in collect_droppable(frames[2])] == ["s2.v", "s1.v", "s0.v"]
