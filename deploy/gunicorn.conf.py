"""gunicorn settings shared by the gateway and every service (production and embedded).
Bind address, workers and threads come from the command line or GUNICORN_* in the environment."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))  # long uploads run as jobs, but give them room
graceful_timeout = 10
keepalive = 5
accesslog = None  # the apps log each request as JSON with its request id
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "warning")
limit_request_line = 8190


# Prometheus multiprocess mode (common/metrics.py): each gunicorn master gets a directory of its
# own before it forks its workers, so `/metrics` on any worker adds up every worker's series.
# Under DATA_DIR/run/metrics/<host>-<port> (one data volume may be shared by several containers),
# emptied at start; PROMETHEUS_MULTIPROC_DIR wins when set. prometheus_client must not be imported
# in the master before this runs: it picks its storage when first imported.
def on_starting(server):
    import shutil
    import socket
    from pathlib import Path

    port = str(server.cfg.bind[0]).rsplit(":", 1)[-1] if server.cfg.bind else "0"
    base = Path(os.environ.get("DATA_DIR", Path(__file__).resolve().parent.parent / "data"))
    path = Path(
        os.environ.get("PROMETHEUS_MULTIPROC_DIR") or base / "run" / "metrics" / f"{socket.gethostname()}-{port}"
    )
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)


def child_exit(server, worker):
    # a dead worker's live gauges leave the sums; its counters and histograms stay counted
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
