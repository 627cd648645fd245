"""Operators' endpoints: `/healthz` (process up), `/readyz` (database and broker reachable) and
`/metrics` (Prometheus)."""

from django.urls import path

from identity import health, metrics_view

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_view.metrics, name="metrics"),
]
