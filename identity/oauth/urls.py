"""`/o/`: token, introspection and revocation. Only what client credentials need is mounted."""

from django.urls import path

from identity.oauth import views

app_name = "oauth2_provider"

urlpatterns = [
    path("token/", views.TokenView.as_view(), name="token"),
    path("introspect/", views.IntrospectTokenView.as_view(), name="introspect"),
    path("revoke_token/", views.RevokeTokenView.as_view(), name="revoke-token"),
]
