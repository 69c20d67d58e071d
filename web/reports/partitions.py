"""Running a register's chunks in this process, in a process pool, or on a Dask cluster — results in order.

    for output in run_chunks(prepare, work, setup, chunks, jobs=2)              # multiprocessing
    for output in run_chunks(prepare, work, setup, chunks, scheduler="tcp://host:8786")  # a Dask cluster
    for output in run_chunks(prepare, work, setup, chunks, workers=2)           # a LocalCluster of 2

`chunks` may also be partitions a worker reads itself (objects with a `load()` method, e.g. engine.io.Part):
then only their description travels to the worker.
`setup` is (key, payload): plain data (the RuleSet snapshot, dates, flags) from which each worker builds its
state once (`prepare(payload)`, cached per worker by the key); `work(state, chunk)` is a pure function of the state and
one chunk. Whatever ran it, the outputs come back in chunk order, so the files written are the same
byte for byte. At most a few chunks per worker are in flight: memory stays bounded on long registers.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from typing import Any

_STATE: dict[Any, Any] = {}
# A local cluster's housekeeping cut to what a batch of chunks needs: no statistical profiler (a thread in every
# worker taking the GIL 100 times a second to sample the stack), the workers' memory and the system polled every
# 1-2 s instead of 10 and 2 times a second, the event loops' tick every 200 ms instead of 20, and no work stealing
# (at most two chunks per worker are in flight). 1M rows, --workers 2: 29.6-31.4 CPU-s, was 36.5-40.7 (load 8-11).
LOCAL_CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.admin.tick.interval": "200ms",
    "distributed.scheduler.work-stealing": False,
}


def state_of(prepare: Callable[[Any], Any], setup: tuple[str, Any]) -> Any:
    """The worker's state for `setup` = (key, payload), built once per process (or thread) and kept."""
    key = (prepare.__module__, prepare.__qualname__, setup[0])
    found = _STATE.get(key)
    if found is None:
        _STATE.clear()
        found = _STATE[key] = prepare(setup[1])
    return found


def _call(prepare: Callable[[Any], Any], work: Callable[[Any, Any], Any], setup: Any, chunk: Any) -> Any:
    return work(state_of(prepare, setup), _loaded(chunk))


def _loaded(chunk: Any) -> Any:
    """A chunk, or a partition the worker reads itself (anything with `load()`, e.g. engine.io.Part)."""
    load = getattr(chunk, "load", None)
    return load() if callable(load) else chunk


def run_chunks(prepare: Callable[[Any], Any], work: Callable[[Any, Any], Any], setup: Any, chunks: Iterable[Any],
               jobs: int = 1, scheduler: str | None = None, workers: int | None = None,
               processes: bool = True, warm: Callable[[Any, Any], Any] | None = None) -> Iterator[Any]:
    """work(prepare(setup), chunk) for every chunk, in chunk order. `warm(state, chunk)`, if given, is run once
    in this process on the first chunk (loaded) before local workers are forked, so that what the state builds
    on first use (generated code, compiled row-by-row closures) is built once here and inherited, not once in
    each worker; its result is dropped."""
    chunks = iter(chunks)
    head = list(islice(chunks, 2))
    if len(head) < 2 and not scheduler:  # one chunk: starting workers would cost more than it saves
        jobs, workers = 1, None
    local = not scheduler and (workers or jobs > 1) and processes and _forks()
    if local and warm is not None and head:
        head[0] = _loaded(head[0])  # read once, here
        warm(state_of(prepare, setup), head[0])
    chunks = chain(head, chunks)
    if scheduler or workers:
        yield from _dask(prepare, work, setup, chunks, scheduler, workers or 0, processes)
    elif jobs == 1:
        for chunk in chunks:
            yield _call(prepare, work, setup, chunk)
    else:
        fork = _forks()
        if fork:  # built once here, inherited by every forked worker instead of built in each
            _STATE["pool"] = state_of(prepare, setup)
        context = multiprocessing.get_context("fork" if fork else "spawn")
        with context.Pool(jobs, initializer=_init, initargs=(prepare, setup)) as pool:
            flight: deque[Any] = deque()  # at most two chunks per worker read ahead: memory stays bounded
            for chunk in chunks:
                flight.append(pool.apply_async(_pooled, ((work, chunk),)))
                if len(flight) >= 2 * jobs:
                    yield flight.popleft().get()
            while flight:
                yield flight.popleft().get()


def _forks() -> bool:
    return sys.platform != "win32" and "fork" in multiprocessing.get_all_start_methods()


def _init(prepare: Callable[[Any], Any], setup: tuple[str, Any]) -> None:
    if "pool" not in _STATE:
        _STATE["pool"] = prepare(setup[1])


def _pooled(item: tuple[Callable[[Any, Any], Any], Any]) -> Any:
    work, chunk = item
    return work(_STATE["pool"], _loaded(chunk))


def _dask(prepare: Callable[[Any], Any], work: Callable[[Any, Any], Any], setup: Any, chunks: Iterable[Any],
          scheduler: str | None, workers: int, processes: bool) -> Iterator[Any]:
    """On a cluster (--scheduler) every worker builds its state once from the scattered setup. A local cluster's
    worker processes are forked from this process after it has built the state (where the platform forks): they
    start with the catalogue imported and compiled, and only the setup's key travels to them."""
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        import dask

        fork = processes and _forks()
        if fork:
            state_of(prepare, setup)
            setup = (setup[0], None)  # the forked workers hold the state: prepare() is never called there
        forked = {"distributed.worker.multiprocessing-method": "fork"} if fork else {}
        with dask.config.set({**LOCAL_CLUSTER_CONFIG, **forked}):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                                   dashboard_address=":0", silence_logs=40)
        client = Client(cluster)
    try:
        shared = client.scatter(setup, broadcast=True)
        window = 2 * max(1, len(client.scheduler_info().get("workers", {})) or workers or 1)
        flight: deque[Any] = deque()
        for chunk in chunks:  # a partition the worker reads, or the chunk as data: never inside the task graph
            data = chunk if callable(getattr(chunk, "load", None)) else client.scatter(chunk)
            flight.append(client.submit(_call, prepare, work, shared, data, pure=False))
            if len(flight) >= window:
                yield flight.popleft().result()
        while flight:
            yield flight.popleft().result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
