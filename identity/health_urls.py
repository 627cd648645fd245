"""Health endpoints: `/healthz` (process up) and `/readyz` (database and broker reachable)."""

from django.urls import path

from identity import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
