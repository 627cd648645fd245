"""Template context for the portal shell: the organization, the navigation, the switcher."""

from identity.navigation import navigation_for
from identity.selectors import organizations_for_user


def portal(request):
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "current_organization": getattr(request, "organization", None),
        "current_principal": getattr(request, "principal", None),
        "navigation": navigation_for(request) if signed_in else [],
        "my_organizations": organizations_for_user(user).only("slug", "name") if signed_in else [],
    }
