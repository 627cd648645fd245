"""The portal's navigation: entries whose page exists and that the principal may open."""

from django.urls import NoReverseMatch, reverse

from identity.authorization import may

ENTRIES = [
    ("Home", "portal:organization_home", None),
    ("Service Credentials", "portal:service_credential_list", "service_credentials:read"),
    ("Service Tokens", "portal:service_token_list", "service_tokens:read"),
    ("Secrets", "vault:secret_list", None),
    ("Members", "portal:member_list", "members:read"),
    ("Groups", "portal:group_list", "groups:read"),
    ("Resources", "portal:resource_list", "resources:read"),
    ("Resource Kinds", "portal:resource_kind_list", "resources:read"),
    ("Roles", "portal:role_list", "roles:read"),
    ("Audit Log", "portal:audit_log", "audit_events:read"),
]


def navigation_for(request):
    organization, principal = getattr(request, "organization", None), getattr(request, "principal", None)
    if organization is None or principal is None:
        return []
    items = []
    for label, url_name, permission in ENTRIES:
        if permission and not may(principal, permission):
            continue
        try:
            url = reverse(url_name, kwargs={"org": organization.slug})
        except NoReverseMatch:
            continue
        # Every organization page is under the home's URL: the home is active only on itself.
        active = request.path == url if url_name == "portal:organization_home" else request.path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return items
