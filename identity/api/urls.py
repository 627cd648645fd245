"""The REST API (`/api/v1/`)."""

from django.urls import path

app_name = "api"

urlpatterns = []
