"""The portal's secrets pages, mounted under ``orgs/<org>/secrets/``."""

from django.urls import path

from . import views

app_name = "vault"

urlpatterns = [
    path("", views.SecretListView.as_view(), name="secret_list"),
    path("mine/", views.SecretListView.as_view(personal=True), name="secret_list_personal"),
    path("register/", views.SecretRegisterChooseView.as_view(), name="secret_register_choose"),
    path("register/certificate-info/", views.CertificateInspectView.as_view(), name="certificate_inspect"),
    path("register/<str:type>/", views.SecretRegisterView.as_view(), name="secret_register"),
    path("<uuid:pk>/", views.SecretDetailView.as_view(), name="secret_detail"),
    path("<uuid:pk>/deactivate/", views.SecretStatusView.as_view(operation="deactivate"), name="secret_deactivate"),
    path("<uuid:pk>/activate/", views.SecretStatusView.as_view(operation="activate"), name="secret_activate"),
    path("<uuid:pk>/delete/", views.SecretDeleteView.as_view(), name="secret_delete"),
]
