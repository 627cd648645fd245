"""A superuser acting on the platform (above every organization), for the API and the back office."""

from identity.permissions import PLATFORM_PERMISSIONS
from identity.principals import USER, Principal


def superuser_principal(user):
    """The signed-in superuser as a platform principal; None for anyone else."""
    if user is None or not user.is_authenticated or not user.is_active or not user.is_superuser:
        return None
    return Principal(
        kind=USER, name=user.get_username(), user=user, is_superuser=True, permissions=frozenset(PLATFORM_PERMISSIONS)
    )
