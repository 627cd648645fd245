"""Shapes of the secrets endpoints. Only metadata goes out; the value only from ``value/``."""

from django.utils import timezone
from rest_framework import serializers

from ..models import Secret, SecretType, SecretUsage
from ..models.secrets import DisplayStatus


class SecretInputSerializer(serializers.Serializer):
    """The outer shape only; ``value`` is checked field by field by the service."""

    name = serializers.CharField(max_length=150)
    type = serializers.ChoiceField(choices=SecretType.choices)
    value = serializers.JSONField(help_text="By type: api_key {header_name, value}; bearer_token {header_name, header_value}; "
                                  "client_credentials {client_id, client_secret, scopes}; certificate {certificate, private_key?}; "
                                  "key_value {pairs}.")
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    personal = serializers.BooleanField(required=False, default=False)


class SecretUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150, required=False)
    value = serializers.JSONField(required=False, help_text="Fields to replace; the others keep their current values.")
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class SecretSerializer(serializers.ModelSerializer):
    personal = serializers.BooleanField(source="is_personal")
    status = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Secret
        fields = ["id", "name", "type", "personal", "status", "metadata", "expires_at", "created_by", "created_at", "updated_at"]

    def get_status(self, secret) -> str:
        return secret.display_status(self.context.get("now") or timezone.now()).value

    def get_fields(self):
        fields = super().get_fields()
        fields["status"].help_text = f"One of: {', '.join(DisplayStatus.values)}."
        return fields


class SecretValueSerializer(serializers.Serializer):
    value = serializers.DictField(help_text="The decrypted payload, in the shape it was given.")


class SecretUsageSerializer(serializers.ModelSerializer):
    class Meta:
        model = SecretUsage
        fields = ["principal_kind", "principal_name", "first_used_at", "last_used_at", "count"]
