"""Run a benchmark's child process and sample the peak memory of its whole process tree (pool workers included)."""

from __future__ import annotations

import subprocess
import threading
import time


def run_with_peak(command: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run ``command``; its output, wall-clock seconds and the peak summed RSS (MB) of its process tree."""
    import psutil

    clock = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, env=env, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            root = psutil.Process(child.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            rss = 0
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for process in tree:
                try:
                    rss += process.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
            peak = max(peak, rss)
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = child.communicate()
    wall = time.perf_counter() - clock
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command[:4])} ... failed with exit status {child.returncode}")
    return subprocess.CompletedProcess(command, 0, out, None), wall, peak / 2**20
