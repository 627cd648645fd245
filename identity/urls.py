"""The portal's URLs."""

from django.contrib.auth import views as auth_views
from django.urls import path

from identity.views import auth

app_name = "portal"

urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("orgs/<slug:org>/", auth.OrganizationHomeView.as_view(), name="organization_home"),
]
