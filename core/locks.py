"""Per-key locks in one process: one person's turns run one at a time, in order.

``KeyedLocks.hold(key, order=...)`` is held for a whole turn. Waiters are served by
``order`` (a platform timestamp, when the surface has one) and then by arrival, so
turns of one key run in the order they were sent while other keys run in parallel.
Entering a free lock does not yield to the event loop, so turns start in the order
their events were dispatched. Idle keys are dropped, keeping memory flat however many
users come and go.

A holder may step aside with ``wait_for_another_turn``: it lets the turns behind it
(or the next one to arrive) run, and takes the lock back once one of them finished.
The service uses it when a client's turn 3 arrives before its turn 2.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


class TurnLock:
    """What a held lock offers its holder (every store's ``lock`` yields one)."""

    async def wait_for_another_turn(self, timeout: float) -> bool:
        """Step aside until another turn on this key has finished (True) or ``timeout``
        seconds passed (False); either way the lock is held again on return."""
        raise NotImplementedError


@dataclass
class _KeyState:
    held: bool = False
    waiting: list[tuple[float, int, asyncio.Future]] = field(default_factory=list)  # a heap
    parked: list[asyncio.Future] = field(default_factory=list)
    users: int = 0


class _LocalTurn(TurnLock):
    def __init__(self, locks: KeyedLocks, state: _KeyState, order: float) -> None:
        self._locks, self._state, self._order = locks, state, order
        self.holding = False

    async def wait_for_another_turn(self, timeout: float) -> bool:
        parked = asyncio.get_running_loop().create_future()
        self._state.parked.append(parked)
        self.holding = False
        self._locks._hand_on(self._state)
        try:
            done, _ = await asyncio.wait({parked}, timeout=timeout)
        finally:
            if parked in self._state.parked:
                self._state.parked.remove(parked)
        await self._locks._acquire(self._state, self._order)
        self.holding = True
        return bool(done)


class KeyedLocks:
    """One lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._states: dict[Hashable, _KeyState] = {}
        self._arrivals = itertools.count()

    @asynccontextmanager
    async def hold(self, key: Hashable, order: float = float("inf")) -> AsyncIterator[TurnLock]:
        """Hold ``key``'s lock; waiters with a smaller ``order`` go first, ties by arrival."""
        state = self._states.setdefault(key, _KeyState())
        state.users += 1
        turn = _LocalTurn(self, state, order)
        try:
            await self._acquire(state, order)
            turn.holding = True
            yield turn
        finally:
            if turn.holding:
                # A finished turn lets the parked ones try again, behind those already waiting.
                for parked in state.parked:
                    if not parked.done():
                        parked.set_result(None)
                self._hand_on(state)
            state.users -= 1
            if not state.users:
                del self._states[key]

    async def _acquire(self, state: _KeyState, order: float) -> None:
        if not state.held and not state.waiting:
            state.held = True  # free: taken at once, without yielding
            return
        handed = asyncio.get_running_loop().create_future()
        heapq.heappush(state.waiting, (order, next(self._arrivals), handed))
        try:
            await handed
        except asyncio.CancelledError:
            if handed.done() and not handed.cancelled():
                self._hand_on(state)  # handed over as we were cancelled: pass it on
            else:
                state.waiting = [item for item in state.waiting if item[2] is not handed]
                heapq.heapify(state.waiting)
            raise

    def _hand_on(self, state: _KeyState) -> None:
        """Give the lock to the first waiter still waiting, or mark it free."""
        while state.waiting:
            _, _, handed = heapq.heappop(state.waiting)
            if not handed.done():
                handed.set_result(None)
                state.held = True
                return
        state.held = False

    def __len__(self) -> int:
        return len(self._states)
