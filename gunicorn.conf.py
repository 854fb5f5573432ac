"""gunicorn settings, read from the environment (see README, "Production")."""

import multiprocessing
import os

wsgi_app = "muroran_kyodo.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# The application is imported once, in the master, before the workers are forked: a worker that
# max_requests recycles starts in milliseconds instead of importing Django again (about a
# second of CPU each time, every few seconds per worker at a thousand requests a second), and
# the workers share the imported code's memory. A new release therefore needs a restart of
# gunicorn, not a HUP. GUNICORN_PRELOAD=false imports in each worker instead.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() not in ("0", "false", "no")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
