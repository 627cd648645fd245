"""Factories for tests: objects are built through the services, as the product builds them."""

import itertools

import factory
from django.contrib.auth import get_user_model

from identity import services
from identity.models import Membership, Organization, Role
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
    Membership.objects.create(user=user, organization=organization, role=Role.objects.get(organization=organization, name=role))
    return user


def make_service_token(organization, roles=("sys_admin",), name=None, expires_in=None):
    """A service token with these roles; returns ``(row, plaintext)``."""
    name = name or f"token-{next(_token_numbers)}"
    return services.service_token_create(
        organization=organization, actor=SYSTEM_PRINCIPAL, name=name, roles=list(roles), expires_in=expires_in
    )
