"""The server's counters, in Prometheus' text format (``/metrics``) and as JSON (``/stats``).

Counters and histograms are prometheus_client's, in a registry of the app's own (two apps in a
process never share counts). Latency percentiles over the most recent requests are exported as
a gauge with a ``quantile`` label, because prometheus_client's summaries carry no quantiles.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = ["CONTENT_TYPE", "ServerMetrics"]

#: Content type of the Prometheus text exposition format.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
QUANTILES = (0.5, 0.9, 0.99)
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
                    120.0)
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096)


class ServerMetrics:
    """What the server counts.

    Parameters
    ----------
    queue_depth
        Samples waiting for an engine call, read at scrape time.
    ready
        Whether the engine (and its models) are loaded, read at scrape time.
    window
        Requests the recent-latency percentiles are computed over.
    """

    def __init__(
        self, queue_depth: Callable[[], int], ready: Callable[[], bool], window: int = 2048
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("svgkit_requests", "HTTP requests answered, by endpoint and status",
                                ["endpoint", "status"], registry=r)
        self.samples = Counter("svgkit_samples", "Samples scored, by endpoint", ["endpoint"],
                               registry=r)
        self.sample_codes = Counter("svgkit_sample_codes",
                                    "Scored samples by diagnostics code (OK, NO_SVG, ...)",
                                    ["code"], registry=r)
        self.request_errors = Counter("svgkit_request_errors",
                                      "Requests not scored, by reason (BAD_JSON, QUEUE_FULL, ...)",
                                      ["code"], registry=r)
        self.latency = Histogram("svgkit_request_latency_seconds",
                                 "Time from a scoring request's arrival to its answer",
                                 ["endpoint"], buckets=_LATENCY_BUCKETS, registry=r)
        self.batch_size = Histogram("svgkit_batch_size_samples", "Samples per engine call",
                                    buckets=_BATCH_BUCKETS, registry=r)
        self.batch_seconds = Histogram("svgkit_batch_seconds", "Seconds per engine call",
                                       buckets=_LATENCY_BUCKETS, registry=r)
        Gauge("svgkit_queue_depth_samples", "Samples waiting for an engine call",
              registry=r).set_function(lambda: float(queue_depth()))
        Gauge("svgkit_ready", "1 when the engine and its models are loaded",
              registry=r).set_function(lambda: float(ready()))
        self._queue_depth = queue_depth
        self._recent: deque[float] = deque(maxlen=window)
        self._lock = threading.Lock()
        self._totals: dict[str, Any] = {"requests": 0, "samples": 0, "batches": 0,
                                        "batched_samples": 0, "errors": {}, "codes": {},
                                        "status": {}}
        r.register(_RecentLatency(self))

    # -- recording --------------------------------------------------------------------------

    def request(self, endpoint: str, status: int, seconds: float | None) -> None:
        """One answered request (``seconds`` only for scoring requests)."""
        self.requests.labels(endpoint, str(status)).inc()
        with self._lock:
            self._totals["requests"] += 1
            by_status = self._totals["status"]
            by_status[str(status)] = by_status.get(str(status), 0) + 1
            if seconds is not None:
                self._recent.append(seconds)
        if seconds is not None:
            self.latency.labels(endpoint).observe(seconds)

    def error(self, code: str) -> None:
        """One request refused for ``code``."""
        self.request_errors.labels(code).inc()
        with self._lock:
            errors = self._totals["errors"]
            errors[code] = errors.get(code, 0) + 1

    def scored(self, endpoint: str, codes: list[str]) -> None:
        """The diagnostics codes of one answered request's samples."""
        self.samples.labels(endpoint).inc(len(codes))
        with self._lock:
            self._totals["samples"] += len(codes)
            by_code = self._totals["codes"]
            for code in codes:
                by_code[code] = by_code.get(code, 0) + 1
        for code in set(codes):
            self.sample_codes.labels(code).inc(codes.count(code))

    def batch(self, n: int, seconds: float) -> None:
        """One engine call of ``n`` samples."""
        self.batch_size.observe(n)
        self.batch_seconds.observe(seconds)
        with self._lock:
            self._totals["batches"] += 1
            self._totals["batched_samples"] += n

    # -- reading ----------------------------------------------------------------------------

    def percentiles(self) -> dict[str, float | None]:
        """``p50``, ``p90``, ``p99`` latency (seconds) of the recent scoring requests."""
        with self._lock:
            recent = np.fromiter(self._recent, dtype=np.float64)
        if recent.size == 0:
            return {f"p{round(q * 100)}": None for q in QUANTILES}
        values = np.quantile(recent, QUANTILES)
        return {f"p{round(q * 100)}": float(v) for q, v in zip(QUANTILES, values)}

    def prometheus(self) -> bytes:
        """The Prometheus text exposition."""
        return generate_latest(self.registry)

    def snapshot(self) -> dict[str, Any]:
        """The totals as JSON: requests (by status), samples (by code), refusals (by reason),
        engine batches and their mean size, latency percentiles, queue depth."""
        with self._lock:
            totals: dict[str, Any] = {
                k: (dict(v) if isinstance(v, dict) else v) for k, v in self._totals.items()
            }
        batches: int = totals.pop("batches")
        batched: int = totals.pop("batched_samples")
        return {
            "requests": totals["requests"],
            "requests_by_status": totals["status"],
            "samples": totals["samples"],
            "samples_by_code": totals["codes"],
            "refused_by_reason": totals["errors"],
            "batches": batches,
            "mean_batch_size": batched / batches if batches else None,
            "latency_s": self.percentiles(),
            "queue_depth": self._queue_depth(),
        }


class _RecentLatency(Collector):
    def __init__(self, metrics: ServerMetrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "svgkit_request_latency_recent_seconds",
            "Latency percentiles of the most recent scoring requests",
            labels=["quantile"],
        )
        for q, (_name, value) in zip(QUANTILES, self._metrics.percentiles().items()):
            family.add_metric([str(q)], float("nan") if value is None else value)
        yield family
