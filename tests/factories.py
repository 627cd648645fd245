"""Factories for tests: objects are built through the services, as the product builds them."""

import itertools

import factory
from django.contrib.auth import get_user_model

from identity import services
from identity.models import Membership, Organization, Role, RoleBinding
from identity.principals import SYSTEM_PRINCIPAL

DEFAULT_PASSWORD = "correct-horse-battery-staple-42"
_token_numbers = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    """An organization with its built-in roles, made by ``services.organization_create``."""

    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.LazyAttribute(lambda org: org.slug.replace("-", " ").title())

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.organization_create(slug=kwargs["slug"], name=kwargs["name"])


def make_member(organization, role="member", **user_kwargs):
    """A new user who is a member of ``organization`` with the named role."""
    user = UserFactory(**user_kwargs)
    add_membership(user, organization, role)
    return user


def add_membership(user, organization, role="member"):
    """Make an existing user a member of ``organization`` with the named role (its binding)."""
    membership = Membership.objects.create(user=user, organization=organization)
    RoleBinding.objects.create(
        organization=organization, user=user, membership=membership,
        role=Role.objects.get(organization=organization, name=role),
    )
    return membership


def make_service_token(organization, roles=("sys_admin",), name=None, expires_in=None):
    """A service token with these roles; returns ``(row, plaintext)``."""
    name = name or f"token-{next(_token_numbers)}"
    return services.service_token_create(
        organization=organization, actor=SYSTEM_PRINCIPAL, name=name, roles=list(roles), expires_in=expires_in
    )


def make_credential(organization, *, permissions=(), auth_method="client_secret_basic", **kwargs):
    """A service credential whose own grants give ``permissions`` on a fresh resource.

    Returns ``(credential, client_secret)``; pass ``jwks`` or ``public_key`` for private_key_jwt.
    """

    grants = []
    if permissions:
        resource = make_resource(organization, "studios", f"studio-{next(_token_numbers)}", actions=_actions_of(permissions))
        grants = [{"resource": resource.pk, "permissions": list(permissions)}]
    if auth_method == "private_key_jwt" and "jwks" not in kwargs and "public_key" not in kwargs:
        from jwcrypto import jwk

        kwargs["public_key"] = jwk.JWK.generate(kty="EC", crv="P-256").export_to_pem().decode()
    return services.service_credential_create(
        organization=organization,
        actor=SYSTEM_PRINCIPAL_ADMIN(organization),
        name=kwargs.pop("name", f"credential-{next(_token_numbers)}"),
        resource_grants=grants,
        token_endpoint_auth_method=auth_method,
        **kwargs,
    )


def _actions_of(permissions):
    return sorted({p.split(":", 1)[1] for p in permissions if p.startswith("studios:")})


def make_resource_kind(organization, name, actions=("read", "write")):
    """The organization's resource kind ``name``, declared (or widened) to hold ``actions``."""
    from identity.models import ResourceKind

    kind, _ = ResourceKind.objects.get_or_create(organization=organization, name=name, defaults={"actions": []})
    kind.actions = sorted(set(kind.actions) | set(actions))
    kind.save(update_fields=["actions"])
    return kind


def make_resource(organization, kind, name, parent=None, actions=("read", "write")):
    """A resource, its kind declared first as the product requires."""
    from identity.models import Resource

    make_resource_kind(organization, kind, actions)
    return Resource.objects.create(organization=organization, kind=kind, name=name, parent=parent)


def SYSTEM_PRINCIPAL_ADMIN(organization):
    """An all-powerful principal in ``organization`` for building test objects."""
    from identity.permissions import CATALOGUE
    from identity.principals import Principal

    return Principal(kind="system", name="tests", organization=organization, permissions=frozenset(CATALOGUE))


def credential_grants(credential):
    """``{resource id: {permissions}}`` the credential's own bindings on resources give."""
    from identity.services.credential_access import grants_view

    grants = {}
    for grant in grants_view(credential):
        grants.setdefault(grant["resource"], set()).update(grant["permissions"])
    return grants
