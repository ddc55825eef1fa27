"""Prometheus metrics (prometheus_client): what the web processes count as they serve, and what
the database says at scrape time.

Counted in each process: requests per endpoint (the Flask endpoint name, i.e. the URL rule, never
the raw path) by method and status, their latency histogram, and the Socket.IO connections it
holds. Read from the database at each scrape (so every process reports the same, and any one of
them can be scraped): the search-job queue's depth and age, the notice outbox's (events not fanned
out, notices due and how late), threads past their first-response target per board, the worker
leases.

Several processes: the board runs one gunicorn worker per port (deploy/run.sh, the systemd
template unit board-web@.service), so each web process is its own scrape target and Prometheus
labels its series by `instance`; sum them in queries (deploy/grafana-dashboard.json does).
Running several workers under one gunicorn master instead (WEB_WORKERS > 1): set
PROMETHEUS_MULTIPROC_DIR to an empty folder (cleared at each start); the counters are then kept
in files there and every worker's scrape reports the sum (prometheus_client's multiprocess mode;
gunicorn.conf.py marks dead workers).
"""
from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from board.queries import operations

__all__ = ["CONTENT_TYPE_LATEST", "exposition", "observe_request", "reader_connected",
           "reader_disconnected"]

REQUESTS = Counter("board_http_requests", "HTTP requests answered, by endpoint (URL rule), "
                   "method and status", ["endpoint", "method", "status"])
LATENCY = Histogram("board_http_request_duration_seconds",
                    "Time from the request's first hook to its response, by endpoint and method",
                    ["endpoint", "method"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
READERS = Gauge("board_socketio_connections", "Socket.IO connections held by this process",
                multiprocess_mode="livesum")


def observe_request(endpoint: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(endpoint, method, str(status)).inc()
    LATENCY.labels(endpoint, method).observe(seconds)


def reader_connected() -> None:
    READERS.inc()


def reader_disconnected() -> None:
    READERS.dec()


class _DatabaseCollector:
    """Queue depth and age, overdue threads, leases: read once per scrape."""

    def collect(self):
        depth, age = operations.search_queue()
        yield GaugeMetricFamily("board_search_jobs_queued", "Search-index jobs waiting", depth)
        yield GaugeMetricFamily("board_search_job_oldest_age_seconds",
                                "How long the oldest waiting search job has waited", age)
        outbox = operations.notice_outbox()
        yield GaugeMetricFamily("board_notice_events_waiting",
                                "Notice outbox events not fanned out to their recipients yet",
                                outbox.events_waiting)
        yield GaugeMetricFamily("board_notice_event_oldest_age_seconds",
                                "How long the oldest event not fanned out has waited",
                                outbox.event_oldest_age)
        yield GaugeMetricFamily("board_notices_pending", "SMS/e-mail notices not settled yet, "
                                "including those held for quiet hours or the hourly limit",
                                outbox.pending)
        yield GaugeMetricFamily("board_notices_due", "Pending notices whose time has come",
                                outbox.due)
        yield GaugeMetricFamily("board_notice_due_oldest_age_seconds",
                                "How late the most overdue due notice is (the worker's lag)",
                                outbox.due_oldest_age)
        overdue = GaugeMetricFamily("board_threads_overdue",
                                    "Threads past their first-response target, by board",
                                    labels=["board"])
        for slug, count in sorted(operations.overdue_by_board().items()):
            overdue.add_metric([slug], count)
        yield overdue
        held = GaugeMetricFamily("board_worker_lease_expires_in_seconds",
                                 "Seconds until a single worker's lease expires (negative: "
                                 "expired, nobody is running it)", labels=["name", "holder"])
        for name, holder, seconds in operations.worker_leases():
            held.add_metric([name, holder], seconds)
        yield held


def exposition() -> bytes:
    """The text a scrape gets: this process's (or, in multiprocess mode, all workers') counters,
    then the database's figures. Needs an app context."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    database = CollectorRegistry(auto_describe=False)
    database.register(_DatabaseCollector())
    return generate_latest(registry) + generate_latest(database)
