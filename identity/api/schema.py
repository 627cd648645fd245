"""OpenAPI security schemes for our authentication classes (drf-spectacular extensions)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ServiceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "identity.api.authentication.ServiceTokenAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "A service token; `Authorization: ApiKey <token>` works too.",
        }


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = "identity.api.authentication.BearerTokenAuthentication"
    name = "Bearer"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An access token from /o/token/."}


class PortalSessionScheme(OpenApiAuthenticationExtension):
    target_class = "identity.api.authentication.PortalSessionAuthentication"
    name = "PortalSession"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
