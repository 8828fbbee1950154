"""How long narrating every installed routine takes, and how much memory it needs.

Narrating means compiling the timeline, paging it and rendering every page's SSML and transcript,
for every routine at every level in both modes (what the skill may ask for), then the JSON of each.
"Cold" clears the compile and narrate caches first, as after a deploy; "warm" is the cached path
every request after the first takes.

    .venv/bin/python bench/narration.py [--runs N]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import statistics
import time
import tracemalloc
from collections.abc import Callable

from footwork.core import Level, Routine, levels, load_catalog, narrate
from footwork.core.narration import MODES
from footwork.core.timeline import clear_caches


def narrate_everything(routines: list[Routine], *, cold: bool) -> int:
    """Narrate every routine at every level in every mode; returns the number of pages made."""
    if cold:
        clear_caches()
        narrate.cache_clear()
        levels.cache_clear()
    pages = 0
    for routine, level, mode in itertools.product(routines, Level, MODES):
        narration = narrate(routine, level, mode)
        narration.as_json()
        pages += len(narration.pages)
    return pages


def timings(run: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        run()
        out.append(time.perf_counter() - start)
    return out


def peak_memory(run: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs of each measurement (default 20)")
    args = parser.parse_args()

    routines = list(load_catalog())
    narrations = len(routines) * len(Level) * len(MODES)
    pages = narrate_everything(routines, cold=True)
    cues = sum(len(narrate(r, level, mode).timeline.cues)
               for r in routines for level in Level for mode in MODES)
    print(f"{len(routines)} routines x {len(Level)} levels x {len(MODES)} modes = {narrations} narrations, "
          f"{pages} pages, {cues} cues; {args.runs} runs each")
    for label, cold in (("cold", True), ("warm", False)):
        narrate_everything(routines, cold=False)  # warm the caches for the warm case
        times = timings(lambda cold=cold: narrate_everything(routines, cold=cold), args.runs)
        print(f"  {label}: min {min(times) * 1000:8.2f} ms   median {statistics.median(times) * 1000:8.2f} ms"
              f"   ({statistics.median(times) / narrations * 1000:.3f} ms a narration)")
    peak = peak_memory(lambda: narrate_everything(routines, cold=True))
    print(f"  peak memory (tracemalloc, cold): {peak / 1024 / 1024:.2f} MiB")


if __name__ == "__main__":
    main()
