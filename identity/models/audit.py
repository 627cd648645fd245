"""Audit events: who did what to which object, from where. Never holds a secret."""

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    ORGANIZATION_CREATE = "organization.create"
    ORGANIZATION_RENAME = "organization.rename"
    ORGANIZATION_DELETE = "organization.delete"
    MEMBER_ADD = "member.add"
    MEMBER_UPDATE = "member.update"
    MEMBER_REMOVE = "member.remove"
    MEMBER_INVITE = "member.invite"
    INVITATION_ACCEPT = "invitation.accept"
    INVITATION_CANCEL = "invitation.cancel"
    ROLE_CREATE = "role.create"
    ROLE_UPDATE = "role.update"
    ROLE_DELETE = "role.delete"
    GROUP_CREATE = "group.create"
    GROUP_UPDATE = "group.update"
    GROUP_DELETE = "group.delete"
    RESOURCE_CREATE = "resource.create"
    RESOURCE_UPDATE = "resource.update"
    RESOURCE_DELETE = "resource.delete"
    RESOURCE_KIND_CREATE = "resource_kind.create"
    RESOURCE_KIND_UPDATE = "resource_kind.update"
    RESOURCE_KIND_DELETE = "resource_kind.delete"
    ROLE_BINDING_CREATE = "role_binding.create"
    ROLE_BINDING_DELETE = "role_binding.delete"
    SERVICE_TOKEN_CREATE = "service_token.create"
    SERVICE_TOKEN_DELETE = "service_token.delete"
    SERVICE_CREDENTIAL_CREATE = "service_credential.create"
    SERVICE_CREDENTIAL_UPDATE = "service_credential.update"
    SERVICE_CREDENTIAL_DISABLE = "service_credential.disable"
    SERVICE_CREDENTIAL_ENABLE = "service_credential.enable"
    SERVICE_CREDENTIAL_REVOKE = "service_credential.revoke"
    SERVICE_CREDENTIAL_REGENERATE = "service_credential.regenerate_secret"
    SERVICE_CREDENTIAL_EXPIRE = "service_credential.expire"
    SERVICE_CREDENTIAL_DELETE = "service_credential.delete"
    CLIENT_KEY_RETIRE = "client_key.retire"
    CLIENT_KEY_EXPIRE = "client_key.expire"
    SECRET_CREATE = "secret.create"
    SECRET_UPDATE = "secret.update"
    SECRET_READ = "secret.read"
    SECRET_DEACTIVATE = "secret.deactivate"
    SECRET_ACTIVATE = "secret.activate"
    SECRET_DELETE = "secret.delete"
    SECRET_EXPIRE = "secret.expire"
    SECRET_PURGE = "secret.purge"
    SECRET_ROTATE = "secret.rotate_key"


class AuditEvent(models.Model):
    organization = models.ForeignKey(
        "identity.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events"
    )
    # The actor's link may go when the person or token does; its name stays for the history.
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_kind = models.CharField(max_length=32)
    actor_name = models.CharField(max_length=200)
    action = models.CharField(max_length=64, choices=AuditAction.choices, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_name = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self):
        return f"{self.actor_name} {self.action} {self.target_type} {self.target_name}".strip()
