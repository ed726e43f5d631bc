"""API of MoUs (``/api/v1/mous/``) and Link & Match events (``/api/v1/events/``).

MoUs: every role reads the MoUs in its scope (``MoU.objects.visible_to``: others are 404);
Kemenperin records and edits MoUs of any buyer, a procurement officer those of their own
organisation (the buyer is then always theirs). Participants and support commitments are
nested; the market access is their sum (read-only). Status changes are POST actions
(``sign/``, ``activate/``, ``terminate/``) with the page's permissions (``change_mou`` and
the scope): a refused transition is a 400 with the service's messages by field. The scanned
document is handled on the MoU's page, not here. No deletion.

Events: read-only, for every signed-in role.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission, DjangoModelPermissions, IsAuthenticated
from rest_framework.response import Response

from ikm.models import IKM

from . import mou_services
from .api import NO_BUYER_PROFILE, DemandPermission, KemitraanPagination
from .models import BuyerProfile, LinkMatchEvent, MoU, MouParticipant, MouSupport
from .serializers import BuyerSummarySerializer, _api_error

IKM_NOT_VISIBLE = _("Unknown IKM: {value}.")


class MouParticipantSerializer(serializers.ModelSerializer):
    ikm = serializers.PrimaryKeyRelatedField(
        queryset=IKM.objects.all(),
        error_messages={"does_not_exist": IKM_NOT_VISIBLE},
        help_text=_("The IKM's id."),
    )
    ikm_nib = serializers.CharField(source="ikm.nib", read_only=True)
    ikm_name = serializers.CharField(source="ikm.name", read_only=True)
    committed_market_access = serializers.IntegerField(
        min_value=1, help_text=_("Whole rupiah per year.")
    )

    class Meta:
        model = MouParticipant
        fields = ["ikm", "ikm_nib", "ikm_name", "committed_market_access", "committed_parts"]


class MouSupportSerializer(serializers.ModelSerializer):
    class Meta:
        model = MouSupport
        fields = ["pillar", "notes"]


class MouSerializer(serializers.ModelSerializer):
    """An MoU with its participating IKM and support commitments. New MoUs are drafts."""

    buyer = BuyerSummarySerializer(read_only=True)
    buyer_id = serializers.PrimaryKeyRelatedField(
        source="buyer",
        queryset=BuyerProfile.objects.all(),
        write_only=True,
        required=False,
        help_text=_("Kemenperin: the buyer-side party. Ignored for a procurement officer."),
    )
    event = serializers.PrimaryKeyRelatedField(
        queryset=LinkMatchEvent.objects.all(), required=False, allow_null=True
    )
    participants = MouParticipantSerializer(many=True)
    supports = MouSupportSerializer(many=True, required=False)
    market_access = serializers.IntegerField(
        read_only=True, help_text=_("Committed market access per year (Rp): the participants' sum.")
    )
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = MoU
        fields = [
            "id",
            "number",
            "title",
            "buyer",
            "buyer_id",
            "event",
            "partnership_pattern",
            "purpose",
            "valid_from",
            "valid_until",
            "signing_date",
            "signing_place",
            "status",
            "status_changed_at",
            "termination_reason",
            "market_access",
            "participants",
            "supports",
            "has_document",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "signing_date",
            "signing_place",
            "status",
            "status_changed_at",
            "termination_reason",
            "created_at",
            "updated_at",
        ]
        # The number's uniqueness is the service's rule, with its own message.
        extra_kwargs = {"number": {"validators": []}}

    def get_has_document(self, mou) -> bool:
        return bool(mou.document)

    def validate_participants(self, participants):
        user = self.context["request"].user
        visible = IKM.objects.visible_to(user)
        allowed = set(
            visible.filter(pk__in=[p["ikm"].pk for p in participants]).values_list("pk", flat=True)
        )
        if self.instance is not None:
            allowed |= set(self.instance.participants.values_list("ikm_id", flat=True))
        for participant in participants:
            if participant["ikm"].pk not in allowed:
                raise serializers.ValidationError(
                    str(IKM_NOT_VISIBLE).format(value=participant["ikm"].pk)
                )
        return participants

    def create(self, validated_data):
        participants = validated_data.pop("participants")
        supports = validated_data.pop("supports", [])
        try:
            return mou_services.mou_create(
                mou=MoU(**validated_data),
                participants=participants,
                supports=supports,
                actor=self.context["request"].user,
            )
        except DjangoValidationError as exc:
            raise _api_error(exc) from exc

    def update(self, instance, validated_data):
        participants = validated_data.pop("participants", None)
        supports = validated_data.pop("supports", None)
        for field, value in validated_data.items():
            setattr(instance, field, value)
        try:
            return mou_services.mou_update(
                mou=instance,
                participants=participants,
                supports=supports,
                actor=self.context["request"].user,
            )
        except DjangoValidationError as exc:
            raise _api_error(exc) from exc


class MouSignSerializer(serializers.Serializer):
    signing_date = serializers.DateField(
        required=False, allow_null=True, help_text=_("The date the MoU was signed (not later).")
    )
    signing_place = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text=_("Where it was signed.")
    )


class MouTerminateSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text=_("Why it is terminated.")
    )


class ChangeMouPermission(BasePermission):
    """The transitions need ``kemitraan.change_mou`` (checked before the scope: 403, then
    404 for an MoU outside it)."""

    def has_permission(self, request, view):
        return request.user.has_perm("kemitraan.change_mou")


TRANSITION_RESPONSES = {
    200: MouSerializer,
    400: OpenApiResponse(description=_("Refused: the messages by field.")),
}


class MouViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """MoUs in the user's scope (others are 404), newest validity first. Kemenperin and
    procurement officers record and edit them (an officer for their own organisation);
    once signed, an MoU's terms cannot be changed. No deletion."""

    serializer_class = MouSerializer
    permission_classes = [IsAuthenticated, DemandPermission]  # the model's own permissions
    pagination_class = KemitraanPagination

    def get_queryset(self):
        return (
            MoU.objects.visible_to(self.request.user)
            .with_market_access()
            .select_related("buyer__organisation", "event")
            .prefetch_related(
                Prefetch(
                    "participants",
                    queryset=MouParticipant.objects.select_related("ikm").order_by("ikm__name"),
                ),
                "supports",
            )
            .order_by("-valid_from", "number", "pk")
        )

    def create(self, request, *args, **kwargs):
        user = request.user
        buyer = None
        if not user.sees_everything:  # a procurement officer: their own organisation's
            if user.organisation_id:
                buyer = BuyerProfile.objects.filter(organisation_id=user.organisation_id).first()
            if buyer is None:
                raise PermissionDenied(NO_BUYER_PROFILE)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if buyer is None and "buyer" not in serializer.validated_data:
            raise serializers.ValidationError(
                {"buyer_id": [serializers.Field.default_error_messages["required"]]}
            )
        mou = serializer.save(**({"buyer": buyer} if buyer else {}))
        mou = self.get_queryset().get(pk=mou.pk)
        return Response(self.get_serializer(mou).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        if not self.request.user.sees_everything:
            serializer.validated_data.pop("buyer", None)  # always their own organisation's
        serializer.save()

    def update(self, request, *args, **kwargs):
        super().update(request, *args, **kwargs)
        mou = self.get_queryset().get(pk=kwargs["pk"])
        return Response(self.get_serializer(mou).data)

    def _transition(self, request, serializer_class, act):
        mou = self.get_object()
        data = {}
        if serializer_class is not None:
            serializer = serializer_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        try:
            act(mou, data)
        except DjangoValidationError as exc:
            raise _api_error(exc) from exc
        mou = self.get_queryset().get(pk=mou.pk)
        return Response(MouSerializer(mou, context=self.get_serializer_context()).data)

    @extend_schema(request=MouSignSerializer, responses=TRANSITION_RESPONSES)
    @action(
        detail=True, methods=["post"], permission_classes=[IsAuthenticated, ChangeMouPermission]
    )
    def sign(self, request, pk=None):
        """Record the signing of a draft MoU: its date (not in the future) and place."""
        return self._transition(
            request,
            MouSignSerializer,
            lambda mou, data: mou_services.mou_sign(
                mou=mou,
                signing_date=data.get("signing_date"),
                signing_place=data.get("signing_place", ""),
                actor=request.user,
            ),
        )

    @extend_schema(request=None, responses=TRANSITION_RESPONSES)
    @action(
        detail=True, methods=["post"], permission_classes=[IsAuthenticated, ChangeMouPermission]
    )
    def activate(self, request, pk=None):
        """Put a signed MoU into effect (its validity must not have ended)."""
        return self._transition(
            request,
            None,
            lambda mou, data: mou_services.mou_activate(mou=mou, actor=request.user),
        )

    @extend_schema(request=MouTerminateSerializer, responses=TRANSITION_RESPONSES)
    @action(
        detail=True, methods=["post"], permission_classes=[IsAuthenticated, ChangeMouPermission]
    )
    def terminate(self, request, pk=None):
        """End a signed or active MoU before its validity ends, with the reason."""
        return self._transition(
            request,
            MouTerminateSerializer,
            lambda mou, data: mou_services.mou_terminate(
                mou=mou, reason=data.get("reason", ""), actor=request.user
            ),
        )


class LinkMatchEventSerializer(serializers.ModelSerializer):
    organiser = serializers.CharField(source="organiser.name", read_only=True)

    class Meta:
        model = LinkMatchEvent
        fields = [
            "id",
            "name",
            "kind",
            "sector",
            "start_date",
            "end_date",
            "venue",
            "city",
            "organiser",
            "description",
        ]
        read_only_fields = fields


class ReadPermission(DjangoModelPermissions):
    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class LinkMatchEventViewSet(viewsets.ReadOnlyModelViewSet):
    """Link & Match events, newest first (read-only)."""

    serializer_class = LinkMatchEventSerializer
    permission_classes = [IsAuthenticated, ReadPermission]
    pagination_class = KemitraanPagination

    def get_queryset(self):
        return (
            LinkMatchEvent.objects.visible_to(self.request.user)
            .select_related("organiser")
            .order_by("-start_date", "pk")
        )
