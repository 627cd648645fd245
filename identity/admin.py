"""Admin registrations. No secret, digest or ciphertext is ever shown here."""

from django.contrib import admin

from identity.models import AuditEvent, Group, Membership, Organization, Resource, Role, ServiceToken


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "created_at")
    search_fields = ("slug", "name")


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "is_builtin")
    list_filter = ("is_builtin",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization")


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("name", "organization")


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("kind", "name", "organization", "parent")


@admin.register(ServiceToken)
class ServiceTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "expires_at", "last_used_at")
    exclude = ("digest",)
    readonly_fields = ("key_id",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "organization", "actor_name", "action", "target_type", "target_name")
    list_filter = ("action",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
