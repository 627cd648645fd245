"""Admin for secrets: metadata only. The ciphertext, nonce and any value never appear here."""

from django.contrib import admin

from .models import Secret, SecretUsage


class SecretUsageInline(admin.TabularInline):
    model = SecretUsage
    fields = ("principal_kind", "principal_name", "first_used_at", "last_used_at", "count")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Secret)
class SecretAdmin(admin.ModelAdmin):
    list_display = ("name", "type", "organization", "owner", "status", "expires_at", "deleted_at", "created_at")
    list_filter = ("type", "status")
    search_fields = ("name",)
    fields = (
        "id",
        "organization",
        "owner",
        "name",
        "type",
        "status",
        "metadata",
        "key_id",
        "expires_at",
        "deleted_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "id", "organization", "owner", "type", "metadata", "key_id", "created_by", "created_at", "updated_at",
    )
    inlines = [SecretUsageInline]

    def has_add_permission(self, request):
        # A secret is encrypted by the services; the admin cannot create one.
        return False
