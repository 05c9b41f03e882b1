"""Terminal progress bars for the command line (tqdm on stderr), shared by the CLI and the benchmarks."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where a bar is made: importing this module stays cheap
    from tqdm import tqdm


def counting_bar(label: str, unit: str = "户") -> Callable[[int, int], None]:
    """A bar that callers drive with (done, total); it closes itself at the end."""
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc=label, unit=unit, file=sys.stderr, dynamic_ncols=True)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update


class StageBar:
    """A bar driven by (fraction, stage text), as the importer reports; gone from the screen when closed."""

    def __init__(self) -> None:
        self.bar: tqdm | None = None  # made at the first stage

    def __call__(self, fraction: float, text: str) -> None:
        from tqdm import tqdm

        if self.bar is None:
            self.bar = tqdm(total=100, desc=text, file=sys.stderr, dynamic_ncols=True, leave=False,
                            bar_format="{desc} {bar} {percentage:3.0f}%")
        self.bar.set_description_str(text)
        self.bar.update(int(fraction * 100) - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
