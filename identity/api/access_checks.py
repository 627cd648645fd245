"""`POST /api/v1/access-checks/`: allowed or not, for the caller or for a presented token."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from identity.services.access_checks import MAX_CHECKS, access_checks

from .principal import default_principal


class AccessCheckInput(serializers.Serializer):
    """For the schema; ``identity.services.access_checks`` checks the input itself."""

    checks = serializers.ListField(
        child=inline_serializer(
            "AccessCheck",
            {
                "permission": serializers.CharField(),
                "resource": serializers.JSONField(help_text='A resource id, "<kind>/<name>", or null.'),
            },
        ),
        max_length=MAX_CHECKS,
    )
    token = serializers.CharField(
        required=False, help_text="An access token or a service token: answer for it instead of the caller."
    )


class AccessCheckView(generics.GenericAPIView):
    serializer_class = AccessCheckInput

    @extend_schema(
        parameters=[OpenApiParameter("org", str, description="For people in several organizations: which one.")],
        request=AccessCheckInput,
        responses=inline_serializer(
            "AccessCheckResults",
            {
                "results": serializers.ListField(
                    child=inline_serializer(
                        "AccessCheckResult",
                        {
                            "permission": serializers.CharField(),
                            "resource": serializers.JSONField(),
                            "allowed": serializers.BooleanField(),
                        },
                    )
                )
            },
        ),
    )
    def post(self, request, *args, **kwargs):
        if not isinstance(request.data, dict):
            raise ValidationError({"detail": "Send a JSON object with checks."})
        caller = default_principal(request)
        if caller is None and request.query_params.get("org"):
            raise NotFound()
        results = access_checks(caller=caller, checks=request.data.get("checks"), token=request.data.get("token"))
        response = Response({"results": results})
        # The answer is about a token's holder and may change at the next request: nobody keeps it.
        response["Cache-Control"] = "no-store"
        return response
