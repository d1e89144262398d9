"""``synergy warmup``: compile every numerical kernel ahead, for images and clusters.

numba compiles each kernel on its first call and caches the machine code
(``__pycache__`` next to the sources, or ``NUMBA_CACHE_DIR``).  :func:`warm_up` runs every
scoring path once on small screens (the bundled ``sf_oneil``, a simulated 3-drug screen
and a simulated Zimmer screen), so that the kernels compile with the argument types the
library passes them, and times numba's compilations per kernel module.  Bake the result
into a container image (``RUN synergy warmup``) or run it once per shared cache directory.
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections import defaultdict

import click

__all__ = ["CompileTimer", "uncompiled_kernels", "warm_up", "warmup"]


class CompileTimer:
    """Seconds of numba compilation per kernel module, outermost compilations only.

    ``seconds`` is wall time, ``cpu_seconds`` this process's CPU time (less sensitive to
    other processes on a shared machine).  Use as a context manager.
    """

    def __init__(self) -> None:
        from numba.core import event

        self._event = event
        self.seconds: dict[str, float] = defaultdict(float)
        self.cpu_seconds: dict[str, float] = defaultdict(float)
        self._stack: list[tuple[float, float]] = []
        self._listener = self._make_listener()

    def _make_listener(self):
        timer = self

        class Listener(self._event.Listener):
            def on_start(self, event):
                timer._stack.append((time.perf_counter(), time.process_time()))

            def on_end(self, event):
                wall, cpu = timer._stack.pop()
                if not timer._stack:
                    module = event.data["dispatcher"].py_func.__module__
                    timer.seconds[module] += time.perf_counter() - wall
                    timer.cpu_seconds[module] += time.process_time() - cpu

        return Listener()

    def __enter__(self) -> CompileTimer:
        self._event.register("numba:compile", self._listener)
        return self

    def __exit__(self, *exc) -> None:
        self._event.unregister("numba:compile", self._listener)


def _run_every_path() -> None:
    import numpy as np

    import synergy
    from synergy.datasets import load, simulate_interaction, simulate_multi
    from synergy.hill import fit_screen

    pair = load("sf_oneil")
    synergy.score(pair)  # the default path first: what a first user runs
    fit_screen(pair, fitter="lsq")
    synergy.score(pair, fitter="lsq", loewe_solver="exact", n_boot=2, well_intervals=True)
    synergy.score(pair, convention="synergyfinder2", n_boot=2, bootstrap="synergyfinder")
    synergy.score(pair, check_fits=True, sensitivity=True)
    synergy.score(
        pair,
        models=("musyc", "ci", "zimmer", "braid"),
        model_options={"musyc": {"calibrate": 19}},
    )
    synergy.score(pair, models=("musyc_gamma",))
    for solver in ("grid100", "exact"):
        synergy.score(simulate_multi(2, n_doses=4), loewe_solver=solver)
    synergy.score(simulate_interaction(1, model="braid", kappa=1.0), models=("braid",))
    # the parallel variants, which only large batches use
    from synergy._kernels.drc import PARALLEL_MIN_CURVES as DRC_MIN
    from synergy._kernels.hill_lsq import PARALLEL_MIN_CURVES as LSQ_MIN
    from synergy._kernels.loewe import PARALLEL_MIN_BLOCKS as LOEWE_MIN
    from synergy.hill import fit
    from synergy.hill.drc import fit_drc
    from synergy.models import loewe_reference

    dose = np.array([0.0, 1.0, 10.0, 100.0])
    effect = np.array([0.0, 20.0, 60.0, 90.0])
    fit_drc(np.tile(dose, (DRC_MIN, 1)), np.tile(effect, (DRC_MIN, 1)))
    fit(np.tile(dose, (LSQ_MIN, 1)), np.tile(effect, (LSQ_MIN, 1)))
    par = np.tile([10.0, 1.0, 0.0, 100.0], (LOEWE_MIN, 1))
    grid = np.tile(dose, (LOEWE_MIN, 1))
    loewe_reference(grid, grid, np.full((LOEWE_MIN, 4, 4), 50.0), par, par, "grid100")
    # the surfaces' point-wise kernels (references of the tests and of users' own checks)
    from synergy._kernels import interaction_surfaces, musyc_surface

    dose = np.array([0.0, 1.0, 10.0])
    for model, n_params in enumerate(interaction_surfaces.N_PARAMS):
        interaction_surfaces.surface_value(model, dose, dose, np.ones(n_params))
        interaction_surfaces.surface_jacobian(model, dose, dose, np.ones(n_params))
    musyc_surface.musyc_value(dose, dose, np.ones(musyc_surface.N_PARAMS))
    musyc_surface.musyc_jacobian(dose, dose, np.ones(musyc_surface.N_PARAMS))
    from synergy._kernels.r_arith import ld_sum

    ld_sum(dose)  # R's sum (drc's kernels inline their own calls)


def uncompiled_kernels() -> list[str]:
    """Entry kernels of :mod:`synergy._kernels` neither compiled in this process nor cached.

    Entry kernels are those no other kernel calls (helpers are compiled into their callers,
    and helpers inlined with ``inline="always"`` never on their own).
    """
    from numba.core.registry import CPUDispatcher

    import synergy._kernels as kernels
    from synergy._kernels.ahead import in_cache

    found = {}
    for info in pkgutil.iter_modules(kernels.__path__):
        module = importlib.import_module(f"{kernels.__name__}.{info.name}")
        for name, obj in vars(module).items():
            if isinstance(obj, CPUDispatcher) and obj.py_func.__module__ == module.__name__:
                found[obj] = f"{module.__name__}.{name}"
    called = set()
    for kernel in found:
        names = kernel.py_func.__code__.co_names
        called.update(id(kernel.py_func.__globals__.get(n)) for n in names)
    return [
        name
        for kernel, name in found.items()
        if id(kernel) not in called
        and kernel.targetoptions.get("inline", "never") != "always"
        and not kernel.signatures
        and not in_cache(kernel, unknown=False)
    ]


def warm_up() -> dict[str, float]:
    """Compile every numerical kernel (or load it from numba's cache).

    Returns
    -------
    dict
        Seconds of numba compilation per kernel module (wall time; empty when the cache
        was already warm).
    """
    import warnings

    with CompileTimer() as timer, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small screens; only the compilation matters
        _run_every_path()
    return dict(sorted(timer.seconds.items(), key=lambda kv: -kv[1]))


@click.command()
def warmup() -> None:
    """Compile every numerical kernel now (numba's cache keeps them for later runs).

    Run it once when building a container image or on a cluster's shared cache
    (``NUMBA_CACHE_DIR``), so that no later run pays the compilation.
    """
    start = time.perf_counter()
    seconds = warm_up()
    total = time.perf_counter() - start
    for module, secs in seconds.items():
        click.echo(f"{secs:7.1f} s  {module.removeprefix('synergy._kernels.')}")
    missing = uncompiled_kernels()
    if missing:
        click.echo(f"not compiled (no path of warmup reaches them): {', '.join(missing)}")
    state = "compiled" if seconds else "already compiled (numba's cache was warm)"
    click.echo(f"kernels {state}; {total:.1f} s in all")
