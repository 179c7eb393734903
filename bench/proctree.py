"""Run a benchmark's child process and sample the peak memory of its whole process tree (pool workers included)."""

from __future__ import annotations

import subprocess
import threading
import time
from typing import Any


def process_tree(root: Any) -> list[Any] | None:
    """The ``psutil.Process`` ``root`` and all its descendants (pool workers and the fork server included), or None
    once ``root`` has exited."""
    import psutil

    try:
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return None


def run_with_peak(command: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run ``command``; its output, wall-clock seconds and the peak summed RSS (MB) of its process tree."""
    done, wall, rss, _ = run_with_peaks(command, env)
    return done, wall, rss


def run_with_peaks(
    command: list[str], env: dict[str, str], pss: bool = True
) -> tuple[subprocess.CompletedProcess, float, float, float]:
    """Like :func:`run_with_peak`, plus the peak summed PSS (MB): each page shared by several processes of the tree
    (a fork server's imports and the pool workers forked from it) counted once in total, not once per process as
    RSS counts it (Linux; 0 elsewhere or with ``pss=False``)."""
    import psutil

    clock = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, env=env, text=True)
    peak = peak_pss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        try:
            root = psutil.Process(child.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            rss = proportional = 0
            tree = process_tree(root)
            if tree is None:
                return
            for process in tree:
                try:
                    if pss and hasattr(psutil.Process, "memory_full_info"):
                        info = process.memory_full_info()
                        proportional += getattr(info, "pss", 0)
                        rss += info.rss
                    else:
                        rss += process.memory_info().rss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
            peak = max(peak, rss)
            peak_pss = max(peak_pss, proportional)
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = child.communicate()
    wall = time.perf_counter() - clock
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command[:4])} ... failed with exit status {child.returncode}")
    return subprocess.CompletedProcess(command, 0, out, None), wall, peak / 2**20, peak_pss / 2**20
