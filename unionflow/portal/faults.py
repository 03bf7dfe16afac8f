"""Fault injection for the reference portal: transient failures a real portal shows under load.

A fault spec is a comma-separated list of `name=value` pairs, for example
`"429=0.1,503=0.05,502=0.05,504=0.05,slow=0.05,drop=0.05,truncate=0.05,repeat=0.05,seed=7"`.
Each fault name carries the share of GET page requests it hits; the shares must sum to at most 1.
Tuning keys: `seed` (default 0), `sleep` (seconds a `slow` answer waits, default 3.0, longer than
the test clients' read timeout), `retry_after` (largest `Retry-After` a 429 carries, whole seconds,
default 1) and `fail_after` (after that many pages were served, every page request answers 503:
a permanent outage, for resume tests).

Hostile faults (`HOSTILE`) imitate a portal that is broken rather than busy; with share 1 they go
on for ever, which the collector's deadlines and loop guards must end: `500` (an internal error
page), `html` (an HTML page served as 200), `drip` (the headers, then one byte every `sleep`
seconds), `empty` (a page without items pointing to a fresh cursor for the same place) and `loop`
(the requested page again, whose `next_cursor` is the cursor just requested). Tuning key `after`
(default 0): no fault of any kind until that many pages were served, so a test can land some pages
before the portal turns hostile.

Decisions are deterministic: the fault of a request depends only on the seed, the request (path and
query) and how many times that same request was made before. Concurrent requests of different
collections therefore cannot change each other's faults, and a retry of a failed request gets a
fresh decision.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Literal

Fault = Literal[
    "429", "502", "503", "504", "slow", "drop", "truncate", "repeat", "500", "html", "drip", "empty", "loop"
]
#: Transient faults: what a busy but healthy portal shows; a retry gets past them.
FAULTS: tuple[Fault, ...] = ("429", "502", "503", "504", "slow", "drop", "truncate", "repeat")
#: Hostile faults: what a broken portal does (see the module docstring).
HOSTILE: tuple[Fault, ...] = ("500", "html", "drip", "empty", "loop")
_ALL: tuple[Fault, ...] = (*FAULTS, *HOSTILE)
_TUNING = ("seed", "sleep", "retry_after", "fail_after", "after")


class FaultSpecError(ValueError):
    """A fault spec that cannot be understood (unknown name, bad number, shares above 1)."""


@dataclass(frozen=True)
class FaultPlan:
    """Parsed fault spec: the share of each fault and the tuning knobs."""

    shares: dict[Fault, float] = field(default_factory=dict)
    seed: int = 0
    sleep: float = 3.0
    retry_after: int = 1
    fail_after: int | None = None
    after: int = 0

    @classmethod
    def parse(cls, spec: str | None) -> FaultPlan:
        """Parse a fault spec string; None or an empty string means no faults."""
        if spec is None or not spec.strip():
            return cls()
        shares: dict[Fault, float] = {}
        tuning: dict[str, float] = {}
        for part in spec.split(","):
            if not part.strip():
                continue
            name, sep, value = part.partition("=")
            name = name.strip().lower()
            if not sep:
                raise FaultSpecError(f"fault spec part {part.strip()!r} is not name=value")
            try:
                number = float(value)
            except ValueError:
                raise FaultSpecError(f"fault spec {name}={value.strip()!r}: not a number") from None
            if name in _ALL:
                if not 0.0 <= number <= 1.0:
                    raise FaultSpecError(f"fault share {name}={number} must be between 0 and 1")
                shares[name] = number  # name is one of FAULTS (checked just above)
            elif name in _TUNING:
                if number < 0:
                    raise FaultSpecError(f"fault spec {name}={number} must not be negative")
                tuning[name] = number
            else:
                known = ", ".join((*_ALL, *_TUNING))
                raise FaultSpecError(f"unknown fault {name!r} (known: {known})")
        if sum(shares.values()) > 1.0 + 1e-9:
            raise FaultSpecError(f"fault shares add up to {sum(shares.values()):.3f}, more than 1")
        fail_after = tuning.get("fail_after")
        return cls(
            shares=shares,
            seed=int(tuning.get("seed", 0)),
            sleep=float(tuning.get("sleep", 3.0)),
            retry_after=int(tuning.get("retry_after", 1)),
            fail_after=None if fail_after is None else int(fail_after),
            after=int(tuning.get("after", 0)),
        )

    @property
    def active(self) -> bool:
        """Whether this plan injects anything at all."""
        return any(share > 0 for share in self.shares.values()) or self.fail_after is not None

    def _rng(self, request_key: str, nth: int) -> random.Random:
        # A hash (not Python's salted hash()) so decisions are the same in every process.
        digest = hashlib.sha256(f"{self.seed}\x00{request_key}\x00{nth}".encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))

    def decide(self, request_key: str, nth: int) -> tuple[Fault | None, random.Random]:
        """The fault for the `nth` (0-based) time `request_key` is requested, and a generator for details.

        The generator is returned so the fault's details (which truncation, how long a Retry-After)
        are deterministic too.
        """
        rng = self._rng(request_key, nth)
        draw = rng.random()
        upper = 0.0
        # Transient faults first: adding hostile ones never changes an existing plan's decisions.
        for fault in _ALL:
            upper += self.shares.get(fault, 0.0)
            if draw < upper:
                return fault, rng
        return None, rng
