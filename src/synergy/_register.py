"""Register the ``ds.synergy`` accessor as soon as xarray is imported, without importing it.

``import synergy`` must stay light (docs/design.md §2: the CLI ready in about a second; the Hill
core usable on plain arrays): xarray and pandas take ~0.7 s to import.  The accessor is
registered right away when xarray is already imported; otherwise a one-shot import hook
registers it the moment anything imports xarray (a screen reader, a model, the user), so
``xr.open_dataset(...).synergy`` works whatever the import order.
"""

from __future__ import annotations

import importlib.abc
import sys

__all__ = ["register_accessor"]


def _register() -> None:
    import synergy.accessor  # noqa: F401  (xr.register_dataset_accessor on import)


class _RegisteringLoader(importlib.abc.Loader):
    """Runs xarray's own loader, then registers the accessor."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        self._loader.exec_module(module)
        _register()


class _XarrayHook(importlib.abc.MetaPathFinder):
    """Finds xarray with the other finders and wraps its loader (once)."""

    def find_spec(self, fullname, path, target=None):
        if fullname != "xarray":
            return None
        _remove_hook()
        for finder in sys.meta_path:  # the finders that would have found it
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None:
            spec.loader = _RegisteringLoader(spec.loader)
        return spec


def _remove_hook() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _XarrayHook)]


def register_accessor() -> None:
    """Register ``ds.synergy`` now if xarray is imported, else when it is."""
    if "xarray" in sys.modules:
        _register()
    elif not any(isinstance(f, _XarrayHook) for f in sys.meta_path):
        sys.meta_path.insert(0, _XarrayHook())
