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
