"""How CPU time grows with the size of an input, measured so that a loaded machine does not
decide the outcome (``tests/test_wide_rows.py``, ``tests/test_condition_size.py``).

A growth test holds each tenfold step of the size, n to 10n, to at most 11 times the cost:
10x is linear, a quadratic cost gives 100x. On a shared machine a run's CPU time varies by
half and more (other processes evict its caches and share its core), for seconds at a
time, so one run of n against one of 10n compares a quiet moment with a busy one, and the
least of several short runs against one long run compares the machine's best moment with
its average. So a step compares like with like:

- ten runs of n against one run of 10n: the same work, in the same stretch of time (five
  runs of n before the run of 10n, five after), each with the load as it comes;
- CPU time of the process (``time.process_time``: every thread, none of the waiting), each
  run begun with the garbage of the one before collected;
- the cost of a run of no size (``base``: the command, the contract, the records around
  the input), run beside each run of n, taken off both sides, so that the step compares
  the cost of the columns or terms themselves and the first size is not mostly start-up
  — where that cost can be told from the noise: when n adds less than the base costs
  (10^3 columns add a few milliseconds to a run of twenty), the step compares whole runs,
  as then the run of 10n holds mostly the base too and cannot hide growth;
- a step measured again when it is over the bound, up to ``most`` times: a linear cost
  needs one stretch without a burst of load, while a quadratic one is 100x in every
  stretch, so no number of tries lets it pass.
"""

from __future__ import annotations

import gc
import itertools
import statistics
import time
from collections.abc import Callable, Sequence

import attrs

#: A step of ten in size may cost at most this many times as much (issue 26).
BOUND = 11.0


@attrs.frozen
class Step:
    """One step, as last measured: the mean CPU seconds of a run of no size, of n, and
    the seconds of the run of 10n; its ratio; and how many tries it took."""

    small: int
    base: float
    each: float
    large: float
    ratio: float
    tries: int


@attrs.frozen
class Growth:
    """Every step of the sizes."""

    steps: tuple[Step, ...]

    @property
    def linear(self) -> bool:
        return all(s.ratio <= BOUND for s in self.steps)


def cpu_seconds(action: Callable[[], object], collector: bool = True) -> float:
    """The CPU seconds of ``action()``, begun with the garbage collected; without the
    ``collector`` running during it where what is measured is the code's own growth and
    CPython's cycle collector (which walks every live object each full pass, more often
    the more objects there are) would add its own: a chain of 20,000 records took 11.2x
    a chain of 2,000 with it, 9.0x without."""
    gc.collect()
    if not collector:
        gc.disable()
    try:
        began = time.process_time()
        action()
        return time.process_time() - began
    finally:
        gc.enable()


def growth(run: Callable[[int], float], sizes: Sequence[int], base: int, most: int = 5) -> Growth:
    """Each step of ``sizes`` (each ten times the one before), measured with ``run(size)``
    (the CPU seconds of one run of that size, checked for what it gives) as the module
    says, up to ``most`` times until it is within :data:`BOUND`."""
    steps = []
    for small, large in itertools.pairwise(sizes):
        assert large == 10 * small, (small, large)
        step = Step(small, 0.0, 0.0, 0.0, float("inf"), 0)
        for tries in range(1, most + 1):
            step = _measure(run, base, small, large, tries)
            if step.ratio <= BOUND:
                break
        steps.append(step)
    return Growth(tuple(steps))


def _measure(run: Callable[[int], float], base: int, small: int, large: int, tries: int) -> Step:
    bases, smalls = [], []
    for _ in range(5):
        bases.append(run(base))
        smalls.append(run(small))
    seconds = run(large)
    for _ in range(5):
        smalls.append(run(small))
        bases.append(run(base))
    fixed, each = statistics.fmean(bases), statistics.fmean(smalls)
    told = each - fixed >= fixed  # what n adds can be told from the base
    ratio = (seconds - fixed) / (each - fixed) if told else seconds / each
    return Step(small, fixed, each, seconds, ratio, tries)
