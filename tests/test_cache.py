"""The one place for caching: every cached loader is keyed on the data version, so no process serves stale data."""

from __future__ import annotations

import inspect

from safetynet import cache


def test_every_cached_loader_is_keyed_on_the_data_version():
    """A cache hit is only possible for the data version it was computed from."""
    loaders = {name: fn for name, fn in vars(cache).items()
               if callable(fn) and hasattr(fn, "clear") and name != "engine"}
    assert loaders, "no cached loaders found"
    for name, fn in loaders.items():
        params = list(inspect.signature(fn).parameters)
        assert params[:2] == ["url", "ver"], f"cache.{name} is not keyed on (url, data version): {params}"
    # the data version itself is read on every rerun, never cached
    assert not hasattr(cache.data_version, "clear")
