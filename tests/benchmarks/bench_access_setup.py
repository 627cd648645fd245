"""Set up the access benchmark's database; prints what the load loops need as one JSON line.

    python -m tests.benchmarks.bench_access_setup

A five-level resource tree (company → project → environment → cluster → namespace), a pipeline's
credential with 50 role bindings (three on the tree, the rest on other projects), its client key,
a resource server's service token holding `service_credentials:read`, and a credential with a single
binding (today's bearer figure, for comparison).
"""

import json
import os
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.benchmarks.bench_settings")

import django  # noqa: E402

LEVELS = ["companies", "projects", "environments", "clusters", "namespaces"]
BINDINGS = 50


def main():
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from identity.models import Role
    from identity.services.role_bindings import role_binding_create
    from tests.factories import SYSTEM_PRINCIPAL_ADMIN, OrganizationFactory, make_credential, make_resource, make_service_token

    organization = OrganizationFactory(slug=f"access-{uuid.uuid4().hex[:6]}", name="Access bench")
    admin = SYSTEM_PRINCIPAL_ADMIN(organization)
    chain, parent = [], None
    for level, kind in enumerate(LEVELS):
        parent = make_resource(organization, kind, f"{kind}-{level}", parent=parent)
        chain.append(parent)
    sibling = make_resource(organization, "projects", "sibling", parent=chain[0])
    credential, secret = make_credential(organization, name="pipeline")

    def bind(resource, permissions):
        role_binding_create(organization=organization, actor=admin, subject_kind="service_credential",
                            subject_id=credential.pk, permissions=permissions, resource=resource.pk)

    bind(chain[0], ["projects:read"])
    bind(chain[1], ["environments:write"])
    bind(chain[2], ["namespaces:read", "namespaces:write"])
    for index in range(BINDINGS - 3):
        bind(make_resource(organization, "projects", f"other-{index}"), ["projects:read"])
    # Today's bearer figure, for comparison: a credential with a single binding.
    reference, reference_secret = make_credential(organization, name="reference", permissions=["studios:read"])
    Role.objects.create(organization=organization, name="introspector", permissions=["service_credentials:read"])
    _, service_key = make_service_token(organization, roles=("introspector",), name="resource-server")

    leaf = chain[-1]
    checks = [
        {"permission": "projects:read", "resource": leaf.pk},
        {"permission": "namespaces:write", "resource": str(leaf)},
        {"permission": "environments:write", "resource": chain[3].pk},
        {"permission": "clusters:read", "resource": str(chain[3])},
        {"permission": "projects:write", "resource": leaf.pk},
        {"permission": "environments:write", "resource": sibling.pk},
        {"permission": "namespaces:read", "resource": "namespaces/nowhere"},
        {"permission": "secrets:read", "resource": None},
        {"permission": "environments:write", "resource": chain[2].pk},
        {"permission": "companies:read", "resource": chain[0].pk},
    ]
    print(json.dumps({
        "org": organization.slug, "basic": [credential.client_id, secret], "service_key": service_key, "checks": checks,
        "reference": [reference.client_id, reference_secret],
    }))


if __name__ == "__main__":
    main()
