"""Template context for the portal shell: the organization being worked on."""


def portal(request):
    return {
        "current_organization": getattr(request, "organization", None),
        "current_principal": getattr(request, "principal", None),
    }
