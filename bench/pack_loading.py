"""How long ``load_catalog`` takes for N small packs, this checkout against another git ref's core.

Each pack is an in-process module whose ``footwork_pack_file`` hook points at a small pack.toml (one
exercise, one routine), so the figure is the loader itself: importing is not timed. The other ref's
``core/`` is extracted with ``git archive`` into a temporary folder and imported under another name,
so both loaders run in the same process, alternately, on the same packs: the ratio is what counts
on a shared machine, not the milliseconds.

    .venv/bin/python bench/pack_loading.py                 # against main, 4 and 200 packs
    .venv/bin/python bench/pack_loading.py --ref HEAD~3 --packs 500 --runs 11
"""

from __future__ import annotations

import argparse
import importlib
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import types
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PACK_TOML = """\
schema = 1

[pack]
name = "{name}"
title = "Bench pack {name}"
description = "A pack written by the benchmark."

[pack.source]
title = "The benchmark"

[[exercises]]
id = "calf-stretch"
name = "Calf stretch"
position = "seated"
steps = [{{ say = "Stretch your calf." }}, {{ hold = 10 }}]

[[routines]]
id = "{name}"
title = "Routine {name}"
cautions = ["Move only within a pain-free range of motion."]
exercises = ["calf-stretch"]
"""


def core_at(ref: str, folder: Path) -> types.ModuleType:
    """``core/`` as it is at ``ref``, imported as the package ``basecore``."""
    archive = subprocess.run(["git", "archive", ref, "core"], cwd=REPO, capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    (folder / "core").rename(folder / "basecore")
    sys.path.insert(0, str(folder))
    return importlib.import_module("basecore")


def entries(core: types.ModuleType, count: int, folder: Path) -> list[object]:
    """``count`` packs for ``core``'s loader, each a module with a footwork_pack_file hook."""
    made = []
    for i in range(count):
        name = f"bench-{count}-{i:04d}"
        data = folder / f"{name}.toml"
        data.write_text(PACK_TOML.format(name=name), encoding="utf-8")
        module = types.ModuleType(f"footwork_bench_{i}")

        def footwork_pack_file(data: Path = data) -> Path:
            return data

        module.footwork_pack_file = core.hookimpl(footwork_pack_file)  # type: ignore[attr-defined]
        made.append(core.PackEntry(name, module, distribution=f"footwork-{name}", version="1.0.0"))
    return made


def load_ms(core: types.ModuleType, packs: list[object]) -> float:
    """One ``load_catalog`` of ``packs`` by ``core``, in milliseconds; every pack must load."""
    start = time.perf_counter()
    catalog = core.load_catalog(packs, only={p.name for p in packs})  # type: ignore[attr-defined]
    took = (time.perf_counter() - start) * 1000
    assert all(p.ok for p in catalog.packs), catalog.problems
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="main", help="the git ref to compare with (default: main)")
    parser.add_argument("--packs", type=int, nargs="+", default=[4, 200])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    import footwork.core as here

    with tempfile.TemporaryDirectory() as scratch:
        base = core_at(args.ref, Path(scratch))
        print(f"load_catalog, median of {args.runs} runs each, alternating; {args.ref} is the baseline")
        for count in args.packs:
            ours, theirs = entries(here, count, Path(scratch)), entries(base, count, Path(scratch))
            timed: dict[str, list[float]] = {"here": [], args.ref: []}
            for _ in range(args.runs):
                timed[args.ref].append(load_ms(base, theirs))
                timed["here"].append(load_ms(here, ours))
            then, now = statistics.median(timed[args.ref]), statistics.median(timed["here"])
            print(f"{count:>5} packs: {args.ref} {then:8.1f} ms   this checkout {now:8.1f} ms   "
                  f"x{now / then:.2f}")


if __name__ == "__main__":
    main()
