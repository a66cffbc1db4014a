"""Owner tokens of temporary names and the liveness of their writers."""

from __future__ import annotations

import os
import subprocess
import sys

from odibi_core.files.owners import (
    FOREIGN_GRACE_S,
    LEGACY_GRACE_S,
    Owner,
    current_owner,
    owner_alive,
)


def test_the_token_round_trips() -> None:
    me = current_owner()
    assert Owner.parse(me.token) == me
    assert me.pid == os.getpid()
    assert Owner.parse("abc") is None
    assert Owner.parse("") is None


def test_this_process_is_alive_and_an_older_process_with_its_pid_is_not() -> None:
    me = current_owner()
    assert owner_alive(me, age_s=0)
    assert not owner_alive(Owner(me.host, me.boot, me.pid, me.start + 1), age_s=0)


def test_a_finished_process_is_dead_and_a_running_one_alive() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    try:
        me = current_owner()
        with open(f"/proc/{child.pid}/stat") as handle:
            start = int(handle.read().rsplit(")", 1)[1].split()[19])
        running = Owner(me.host, me.boot, child.pid, start)
        assert owner_alive(running, age_s=0)
        assert not owner_alive(Owner(me.host, me.boot, child.pid, start + 7), age_s=0)  # pid reused
    finally:
        child.communicate(b"")
    assert not owner_alive(running, age_s=0)


def test_another_boot_is_dead_another_host_waits_for_its_grace() -> None:
    me = current_owner()
    other_boot = "0000" if me.boot != "0000" else "ffff"
    assert not owner_alive(Owner(me.host, other_boot, me.pid, me.start), age_s=0)
    foreign = Owner("00000000" if me.host != "00000000" else "ffffffff", me.boot, 1, 1)
    assert owner_alive(foreign, age_s=FOREIGN_GRACE_S - 60)
    assert not owner_alive(foreign, age_s=FOREIGN_GRACE_S + 60)


def test_names_without_a_token_wait_for_the_legacy_grace() -> None:
    assert owner_alive(None, age_s=LEGACY_GRACE_S - 1)
    assert not owner_alive(None, age_s=LEGACY_GRACE_S + 1)


def test_the_token_changes_after_a_fork() -> None:
    parent = current_owner()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        os.write(write, current_owner().token.encode())
        os._exit(0)
    os.close(write)
    token = os.read(read, 200).decode()
    os.waitpid(pid, 0)
    child = Owner.parse(token)
    assert child is not None
    assert child.pid == pid
    assert child.host == parent.host
