"""API views of accounts: who am I. Also what every API view shares: the schema class that
documents the error answers (``ApiSchema``) and the JSON 404 for unknown API addresses."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Organisation, User

# --- Errors, for every API view ---------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """DRF's answer to a request it refuses as a whole (401, 403, 404)."""

    detail = serializers.CharField(help_text=_("Why, in the request's language."))


VALIDATION_ERROR = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description=_(
        "Invalid request: the messages by field, as lists (nested like the request for "
        "nested objects; non_field_errors for the request as a whole)."
    ),
)
NOT_SIGNED_IN = OpenApiResponse(
    response=ErrorSerializer, description=_("Not signed in: no valid token or session.")
)
NOT_ALLOWED = OpenApiResponse(
    response=ErrorSerializer, description=_("Not allowed: the user's role lacks the permission.")
)
NOT_FOUND = OpenApiResponse(
    response=ErrorSerializer,
    description=_("Not found: it does not exist, lies outside the user's scope, or no such page."),
)
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PAGINATION_PARAMETERS = ("page", "page_size")


class ApiSchema(AutoSchema):
    """drf-spectacular's schema, with the error answers each operation can give documented
    next to its own (explicit ``@extend_schema`` responses win):

    - 400 for a request body or filters (query parameters other than the page);
    - 401 always (every API view needs a signed-in user);
    - 403 where a permission beyond being signed in is checked, and for writes;
    - 404 for one object (unknown or outside the user's scope) and for a page past the end.
    """

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        for code, response in self._error_responses(operation).items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_responses(self, operation) -> dict:
        parameters = operation.get("parameters", [])
        query = {p["name"] for p in parameters if p["in"] == "query"}
        errors = {}
        if "requestBody" in operation or query - set(PAGINATION_PARAMETERS):
            errors["400"] = VALIDATION_ERROR
        errors["401"] = NOT_SIGNED_IN
        checked = [
            p for p in self.view.get_permissions() if type(p) not in (IsAuthenticated, AllowAny)
        ]
        if checked or self.method in UNSAFE_METHODS:
            errors["403"] = NOT_ALLOWED
        if any(p["in"] == "path" for p in parameters) or "page" in query:
            errors["404"] = NOT_FOUND
        return errors


class WholeItemSerializer(serializers.Serializer):
    """A nested item that replaces the one before it (an MoU's participants, an akad's
    collateral): its required fields are required in a PATCH too. DRF skips a missing
    field in the whole tree of a partial update, which would hand the service half an
    item."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        missing = {
            name: [field.error_messages["required"]]
            for name, field in self.fields.items()
            if field.required and not field.read_only and field.source not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class ApiNotFoundView(APIView):
    """Any address under ``/api/v1/`` that names no endpoint: DRF's JSON 404 (not the HTML
    page), whatever the method; 401 without a signed-in user, like every API address."""

    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound()


# --- Who am I -----------------------------------------------------------------------------


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind"]


class MeSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()
    organisation = OrganisationSerializer(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "username", "role", "organisation"]

    def get_role(self, user) -> str | None:
        return user.role.value if user.role else None


class MeView(APIView):
    """The signed-in user, their role and organisation."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
