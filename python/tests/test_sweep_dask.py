"""anneal.sweep on a real Dask cluster: ``dask scheduler`` and two ``dask worker`` processes (subprocesses, torn
down by process id), importing the installed wheel of Anneal; the records equal the serial backend's bit for
bit, also when a worker process is SIGKILLed mid-sweep (the scheduler gives its chunks to the other)."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests


import pytest

from anneal import sweep
from helpers import ionosphere
import cluster_helpers
import sweep_builds

FIT = dict(epochs=4, batch_size=28, validation_split=0.33)
CONFIGS = sweep.grid(kind=["time", "python", "schedule", "update"], learning_rate=[0.1, 0.02])
SEEDS = [3, 1, 7]


def test_dask_cluster_equals_serial_bit_for_bit_even_when_a_worker_is_killed(tmp_path):
    reason = cluster_helpers.skip_reason("distributed", "dask")
    if reason:
        pytest.skip(reason)
    import distributed

    x, y, _ = ionosphere()
    serial = sweep.run(sweep_builds.build, CONFIGS, x, y, seeds=SEEDS, backend="serial", **FIT)
    pids = tmp_path / "pids"
    pids.mkdir()
    environment = cluster_helpers.worker_environment(SWEEP_TEST_PIDS=str(pids))
    address = f"tcp://127.0.0.1:{cluster_helpers.free_port()}"
    log = open(tmp_path / "dask.log", "w")
    daemons = []
    try:
        daemons.append(cluster_helpers.start(
            [cluster_helpers.cli("dask"), "scheduler", "--host", "127.0.0.1", "--port",
             address.rsplit(":", 1)[1], "--no-dashboard"], environment, log))
        for number in range(2):
            daemons.append(cluster_helpers.start(
                [cluster_helpers.cli("dask"), "worker", address, "--nthreads", "1", "--nworkers", "1",
                 "--no-dashboard", "--host", "127.0.0.1", "--local-directory", str(tmp_path / f"worker{number}")],
                environment, log))
        client = distributed.Client(address, timeout=120)
        try:
            client.wait_for_workers(2, timeout=120)

            def where_anneal_is():  # nested: pickled by value, as this module is not on the workers' path
                import anneal

                return anneal.__file__

            for worker_anneal in client.run(where_anneal_is).values():
                assert cluster_helpers.not_the_repository(worker_anneal), worker_anneal

            result = sweep.run(sweep_builds.build, CONFIGS, x, y, seeds=SEEDS, backend="dask", address=address,
                               **FIT)
            assert result.records == serial.records
            # A Client passed as `address` is used as it is (and left open).
            result = sweep.run(sweep_builds.build, CONFIGS, x, y, seeds=SEEDS, backend="dask", address=client,
                               **FIT)
            assert result.records == serial.records

            # A worker process killed in the middle of a chunk: the scheduler reruns its chunks elsewhere.
            result = cluster_helpers.run_while_a_worker_is_killed(pids, lambda: sweep.run(
                sweep_builds.build, CONFIGS, x, y, seeds=SEEDS, backend="dask", address=client, **FIT))
            assert result.records == serial.records
        finally:
            client.close()
    finally:
        for daemon in reversed(daemons):
            cluster_helpers.stop(daemon)
        log.close()


def test_dask_local_clusters_of_one_and_two_workers_equal_serial():
    # Without an address the sweep starts a LocalCluster of `workers` processes for itself: one worker runs
    # every chunk in turn, two share them; the records are the serial backend's either way.
    reason = cluster_helpers.skip_reason("distributed", "dask")
    if reason:
        pytest.skip(reason)
    x, y, _ = ionosphere()
    serial = sweep.run(sweep_builds.build, CONFIGS, x, y, seeds=SEEDS, backend="serial", **FIT)
    for workers in (1, 2):
        result = sweep.run(sweep_builds.build, CONFIGS, x, y, seeds=SEEDS, backend="dask", workers=workers, **FIT)
        assert result.records == serial.records, workers
