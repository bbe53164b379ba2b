"""anneal.sweep on a real Ray cluster: a head and a second node started with ``ray start`` (subprocesses, torn
down by process id), workers importing the installed wheel of Anneal; the records equal the serial backend's bit
for bit, also when a worker process is SIGKILLed mid-sweep (Ray runs its chunk again)."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import os
import shutil
import tempfile
import time

import pytest

from anneal import sweep
from helpers import ionosphere
import cluster_helpers
import sweep_builds

# These clusters listen on 127.0.0.1 only. Without this, Ray turns token authentication on for a head when a
# token file exists (~/.ray/auth_token, which a local ray.init writes), and a second node joining through
# --address then fails with InvalidAuthToken: the test would pass on a fresh machine and fail on its second run.
os.environ["RAY_AUTH_MODE"] = "disabled"

FIT = dict(epochs=4, batch_size=28, validation_split=0.33)
CONFIGS = sweep.grid(kind=["time", "python", "schedule", "update"], learning_rate=[0.1, 0.02])
SEEDS = [3, 1, 7]


def test_ray_cluster_equals_serial_bit_for_bit_even_when_a_worker_is_killed(tmp_path):
    reason = cluster_helpers.skip_reason("ray", "ray")
    if reason:
        pytest.skip(reason)
    import ray

    x, y, _ = ionosphere()
    serial = sweep.run(sweep_builds.build, CONFIGS, x, y, seeds=SEEDS, backend="serial", **FIT)
    pids = tmp_path / "pids"
    pids.mkdir()
    environment = cluster_helpers.worker_environment(SWEEP_TEST_PIDS=str(pids))
    port = cluster_helpers.free_port()
    address = f"127.0.0.1:{port}"
    log = open(tmp_path / "ray.log", "w")
    # Ray's sockets live under its temp dir, whose path may not exceed 107 bytes: a short one, not tmp_path.
    temp_dir = tempfile.mkdtemp(prefix="anneal-ray-")
    common = ["--block", "--num-cpus=1", "--disable-usage-stats", "--include-dashboard=false"]
    nodes = []
    try:
        nodes.append(cluster_helpers.start(
            [cluster_helpers.cli("ray"), "start", "--head", f"--port={port}", "--node-ip-address=127.0.0.1",
             f"--temp-dir={temp_dir}"] + common, environment, log))
        cluster_helpers.wait_for_port(port, nodes[0], log)
        nodes.append(cluster_helpers.start(
            [cluster_helpers.cli("ray"), "start", f"--address={address}", "--node-ip-address=127.0.0.1"]
            + [option for option in common if option != "--include-dashboard=false"], environment, log))
        ray.init(address=address, log_to_driver=False)
        try:
            for _ in range(600):  # both nodes up
                if ray.cluster_resources().get("CPU", 0) >= 2:
                    break
                time.sleep(0.2)
            assert ray.cluster_resources().get("CPU", 0) >= 2, open(tmp_path / "ray.log").read()
            def where_anneal_is():  # nested: pickled by value, as this module is not on the workers' path
                import anneal

                return anneal.__file__

            worker_anneal = ray.get(ray.remote(where_anneal_is).remote())
            assert cluster_helpers.not_the_repository(worker_anneal), worker_anneal

            result = sweep.run(sweep_builds.build, CONFIGS, x, y, seeds=SEEDS, backend="ray", address=address,
                               **FIT)
            assert result.records == serial.records

            # A worker process killed in the middle of a chunk: Ray runs the chunk again elsewhere.
            result = cluster_helpers.run_while_a_worker_is_killed(pids, lambda: sweep.run(
                sweep_builds.build, CONFIGS, x, y, seeds=SEEDS, backend="ray", address=address, **FIT))
            assert result.records == serial.records
        finally:
            ray.shutdown()
    finally:
        for node in reversed(nodes):
            cluster_helpers.stop(node)
        log.close()
        shutil.rmtree(temp_dir, ignore_errors=True)



def test_ray_local_instance_of_one_cpu_equals_serial():
    # A driver connected to a local Ray of one CPU (started here by ray.init, as a user's script would) runs
    # every chunk on one worker in turn; the records are the serial backend's. The two-node cluster above is
    # the two-worker case.
    reason = cluster_helpers.skip_reason("ray", "ray")
    if reason:
        pytest.skip(reason)
    import ray

    x, y, _ = ionosphere()
    serial = sweep.run(sweep_builds.build, CONFIGS, x, y, seeds=SEEDS, backend="serial", **FIT)
    temp_dir = tempfile.mkdtemp(prefix="anneal-ray-")  # short: Ray's socket paths may not exceed 107 bytes
    ray.init(address="local", num_cpus=1, include_dashboard=False, log_to_driver=False, _temp_dir=temp_dir)
    try:
        assert ray.cluster_resources().get("CPU") == 1
        result = sweep.run(sweep_builds.build, CONFIGS, x, y, seeds=SEEDS, backend="ray", **FIT)
        assert result.records == serial.records
    finally:
        ray.shutdown()
        shutil.rmtree(temp_dir, ignore_errors=True)
