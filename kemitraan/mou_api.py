"""API of MoUs (``/api/v1/mous/``) and Link & Match events (``/api/v1/events/``).

MoUs: every role reads the MoUs in its scope (``MoU.objects.visible_to``: others are 404);
Kemenperin records and edits MoUs of any buyer, a procurement officer those of their own
organisation (the buyer is then always theirs). Participants and support commitments are
nested; the market access is their sum (read-only). Status changes are POST actions
(``sign/``, ``activate/``, ``terminate/``) with the page's permissions (``change_mou`` and
the scope): a refused transition is a 400 with the service's messages by field. The scanned
document is handled on the MoU's page, not here. No deletion.

Realisation: for a user who may view purchase orders (``kemitraan.view_purchaseorder``),
each MoU and each participant carries its ``realisation`` (ordered, delivered, paid, overdue
against the commitment), computed by :mod:`kemitraan.realisation` as of today; for others it
is ``null``. A page of MoUs costs the same few queries whatever its MoUs, participants and POs.

Events: read-only, for every signed-in role. An event's detail adds its approved
participants and its sessions (not for lenders, like the pages) and the meetings in the
user's scope as on the meetings page: Kemenperin and KADIN all, a procurement officer their
own organisation's, a lender officer none.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission, DjangoModelPermissions, IsAuthenticated
from rest_framework.response import Response

from accounts.api import WholeItemSerializer
from ikm.api import api_validation_error
from ikm.models import IKM

from . import mou_services, realisation
from .api import NO_BUYER_PROFILE, DemandPermission, KemitraanPagination
from .models import (
    BuyerProfile,
    EventParticipant,
    EventSession,
    LinkMatchEvent,
    Meeting,
    MoU,
    MouParticipant,
    MouSupport,
)
from .serializers import BuyerSummarySerializer

IKM_NOT_VISIBLE = _("Unknown IKM: {value}.")
REALISATION_KEY = "realisation"  # in the serializer's context: the ledgers computed so far


def _decimal_field(help_text, source=None):
    return serializers.DecimalField(
        source=source,
        max_digits=None,
        decimal_places=1,
        coerce_to_string=False,
        allow_null=True,
        read_only=True,
        help_text=help_text,
    )


class RealisationSerializer(serializers.Serializer):
    """A :class:`kemitraan.realisation.Summary`: the POs against the committed market access,
    cumulative over the MoU, as of today. Whole rupiah; percentages rounded to 0.1."""

    ordered = serializers.IntegerField(read_only=True, help_text=_("Σ PO values (Rp)."))
    delivered = serializers.IntegerField(read_only=True, help_text=_("Σ deliveries (Rp)."))
    paid = serializers.IntegerField(read_only=True, help_text=_("Σ payments (Rp)."))
    overdue = serializers.IntegerField(
        read_only=True, help_text=_("Delivered, due under the payment terms and not paid (Rp).")
    )
    realisation_percent = _decimal_field(
        _("Ordered / committed x 100; null if nothing committed."), source="ordered_percent"
    )
    paid_percent = _decimal_field(_("Paid / committed x 100; null if nothing committed."))
    overdue_purchase_orders = serializers.IntegerField(
        source="overdue_count", read_only=True, help_text=_("POs with an overdue amount.")
    )
    average_days_to_pay = _decimal_field(
        _(
            "Days from delivery to full payment, weighted by delivery value; null until a "
            "delivery is fully paid."
        ),
        source="avg_days_to_pay",
    )


class IkmIdField(serializers.PrimaryKeyRelatedField):
    """An IKM by id; an id that does not exist is answered with :data:`IKM_NOT_VISIBLE`,
    like one outside the user's scope (DRF names the id ``pk_value``, the message
    ``value``)."""

    def fail(self, key, **kwargs):
        if "pk_value" in kwargs:
            kwargs.setdefault("value", kwargs["pk_value"])
        super().fail(key, **kwargs)


class MouParticipantSerializer(WholeItemSerializer, serializers.ModelSerializer):
    ikm = IkmIdField(
        queryset=IKM.objects.all(),
        error_messages={"does_not_exist": IKM_NOT_VISIBLE},
        help_text=_("The IKM's id."),
    )
    ikm_nib = serializers.CharField(source="ikm.nib", read_only=True)
    ikm_name = serializers.CharField(source="ikm.name", read_only=True)
    committed_market_access = serializers.IntegerField(
        min_value=1, help_text=_("Whole rupiah per year.")
    )
    realisation = serializers.SerializerMethodField(
        help_text=_("Null for a user who may not view purchase orders.")
    )

    class Meta:
        model = MouParticipant
        fields = [
            "ikm",
            "ikm_nib",
            "ikm_name",
            "committed_market_access",
            "committed_parts",
            "realisation",
        ]

    @extend_schema_field(RealisationSerializer(allow_null=True))
    def get_realisation(self, participant):
        ledgers = self.context.get(REALISATION_KEY)
        summary = ledgers["participants"].get(participant.pk) if ledgers else None
        return RealisationSerializer(summary).data if summary is not None else None


class MouSupportSerializer(WholeItemSerializer, serializers.ModelSerializer):
    class Meta:
        model = MouSupport
        fields = ["pillar", "notes"]


class MouListSerializer(serializers.ListSerializer):
    """Computes the realisation of the whole page at once before its MoUs are rendered."""

    def to_representation(self, data):
        mous = list(data.all() if hasattr(data, "all") else data)
        self.child.load_realisation(mous)
        return super().to_representation(mous)


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
    realisation = serializers.SerializerMethodField(
        help_text=_("The participants' total. Null for a user who may not view purchase orders.")
    )

    class Meta:
        model = MoU
        list_serializer_class = MouListSerializer
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
            "realisation",
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

    def load_realisation(self, mous) -> None:
        """Put the ledgers of ``mous`` not yet computed into the context (read by the MoU's
        and its participants' ``realisation``); ``None`` there for a user who may not view
        purchase orders."""
        context = self.context
        if REALISATION_KEY not in context:
            request = context.get("request")
            allowed = request is not None and request.user.has_perm("kemitraan.view_purchaseorder")
            context[REALISATION_KEY] = {"mous": {}, "participants": {}} if allowed else None
        ledgers = context[REALISATION_KEY]
        missing = [mou for mou in mous if ledgers and mou.pk not in ledgers["mous"]]
        if not missing:
            return
        for mou_pk, ledger in realisation.mou_ledgers(missing).items():
            ledgers["mous"][mou_pk] = ledger["total"]
            for row in ledger["rows"]:
                ledgers["participants"][row["participant"].pk] = row["summary"]

    def to_representation(self, instance):
        self.load_realisation([instance])
        return super().to_representation(instance)

    @extend_schema_field(RealisationSerializer(allow_null=True))
    def get_realisation(self, mou):
        ledgers = self.context.get(REALISATION_KEY)
        summary = ledgers["mous"].get(mou.pk) if ledgers else None
        return RealisationSerializer(summary).data if summary is not None else None

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
            raise api_validation_error(exc) from exc

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
            raise api_validation_error(exc) from exc


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
            raise api_validation_error(exc) from exc
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


class EventPartySerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True, help_text=_('"buyer" or "ikm".'))
    id = serializers.IntegerField(read_only=True, help_text=_("The buyer's or the IKM's id."))
    name = serializers.CharField(read_only=True)


class EventSessionSerializer(serializers.ModelSerializer):
    start = serializers.TimeField(source="start_time", read_only=True)
    end = serializers.TimeField(source="end_time", read_only=True)

    class Meta:
        model = EventSession
        fields = ["id", "date", "start", "end", "slot_minutes", "tables"]
        read_only_fields = fields


class MeetingIkmSerializer(serializers.ModelSerializer):
    class Meta:
        model = IKM
        fields = ["id", "name"]
        read_only_fields = fields


class EventMeetingSerializer(serializers.ModelSerializer):
    buyer = BuyerSummarySerializer(read_only=True)
    ikm = MeetingIkmSerializer(read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "starts_at", "table", "buyer", "ikm", "status", "outcome"]
        read_only_fields = fields


class LinkMatchEventDetailSerializer(LinkMatchEventSerializer):
    """An event with its programme: the approved participants and the sessions (empty for a
    lender officer), and the meetings in the user's scope (Kemenperin and KADIN all, a
    procurement officer their organisation's, a lender officer none)."""

    participants = serializers.SerializerMethodField()
    sessions = serializers.SerializerMethodField()
    meetings = serializers.SerializerMethodField()

    class Meta(LinkMatchEventSerializer.Meta):
        fields = [*LinkMatchEventSerializer.Meta.fields, "participants", "sessions", "meetings"]
        read_only_fields = fields

    @property
    def _user(self):
        return self.context["request"].user

    @extend_schema_field(EventPartySerializer(many=True))
    def get_participants(self, event):
        if not self._user.has_perm("kemitraan.view_eventparticipant"):
            return []
        rows = (
            EventParticipant.objects.visible_to(self._user)
            .approved()
            .filter(event=event)
            .select_related("buyer__organisation", "ikm")
        )
        parties = [
            {"kind": "buyer", "id": p.buyer_id, "name": p.buyer.organisation.name}
            if p.buyer_id
            else {"kind": "ikm", "id": p.ikm_id, "name": p.ikm.name}
            for p in rows
        ]
        parties.sort(key=lambda party: (party["kind"], party["name"].casefold(), party["id"]))
        return EventPartySerializer(parties, many=True).data

    @extend_schema_field(EventSessionSerializer(many=True))
    def get_sessions(self, event):
        if not self._user.has_perm("kemitraan.view_eventsession"):
            return []
        sessions = (
            EventSession.objects.visible_to(self._user)
            .filter(event=event)
            .order_by("date", "start_time", "pk")
        )
        return EventSessionSerializer(sessions, many=True).data

    @extend_schema_field(EventMeetingSerializer(many=True))
    def get_meetings(self, event):
        # The rule of the meetings page (event_views.visible_meetings): the permission,
        # then Meeting.objects.visible_to.
        if not self._user.has_perm("kemitraan.view_meeting"):
            return []
        meetings = (
            Meeting.objects.visible_to(self._user)
            .filter(event=event)
            .select_related("buyer__organisation", "ikm")
            .order_by("starts_at", "table", "pk")
        )
        return EventMeetingSerializer(meetings, many=True).data


class ReadPermission(DjangoModelPermissions):
    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class LinkMatchEventViewSet(viewsets.ReadOnlyModelViewSet):
    """Link & Match events, newest first (read-only). An event's detail adds its approved
    participants, its sessions and the meetings in the user's scope."""

    serializer_class = LinkMatchEventSerializer
    permission_classes = [IsAuthenticated, ReadPermission]
    pagination_class = KemitraanPagination

    def get_queryset(self):
        return (
            LinkMatchEvent.objects.visible_to(self.request.user)
            .select_related("organiser")
            .order_by("-start_date", "pk")
        )

    def get_serializer_class(self):
        if self.action == "retrieve":
            return LinkMatchEventDetailSerializer
        return LinkMatchEventSerializer
