"""benchmarks.cpu_per_page reads each process's CPU from /proc: a real child made to work is counted per
load, one left idle is not, and a process gone counts nothing."""
from __future__ import annotations

import subprocess
import sys

from benchmarks.cpu_per_page import cpu_seconds, line, measured

WORKER = """
import sys
for request in sys.stdin:
    total = sum(i * i for i in range(int(request)))
    print(total % 7, flush=True)
"""


def test_the_cpu_of_each_load_is_counted_for_the_process_that_did_the_work():
    busy = subprocess.Popen([sys.executable, "-c", WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    idle = subprocess.Popen([sys.executable, "-c", WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        def load() -> None:  # one burst of work, answered when done
            busy.stdin.write("3000000\n")
            busy.stdin.flush()
            busy.stdout.readline()

        figures = measured(lambda: {"busy": {busy.pid}, "idle": {idle.pid}}, load, 3)
        assert figures["busy"] > 10 * max(figures["idle"], 1.0)  # ms per load: the work shows where it was done
        assert "busy" in line("a page", figures) and "(services" in line("a page", figures)
    finally:
        for process in (busy, idle):
            process.communicate(timeout=30)  # closes its input: it ends
    assert cpu_seconds({busy.pid}) == 0.0  # gone: nothing to read


def test_a_postgresql_clusters_work_is_counted_over_its_postmaster_and_backends(postgres):
    """benchmarks.front_door --legacy-database postgresql counts the cluster beside the system's processes:
    the queries run in backends, children of the postmaster that PostgresCluster.pid names."""
    from sqlalchemy import create_engine, text

    from benchmarks.cpu_per_page import groups

    engine = create_engine(postgres.url())
    try:
        with engine.connect() as conn:
            def load() -> None:  # work done in this connection's backend, not in this process
                conn.execute(text("SELECT count(*) FROM generate_series(1, 300000)")).scalar_one()

            figures = measured(lambda: groups({"postgresql": postgres}), load, 3)
    finally:
        engine.dispose()
    assert figures["postgresql"] > 1.0  # ms of CPU per load, in the cluster's processes
