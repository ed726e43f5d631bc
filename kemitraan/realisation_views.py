"""Realisation ledger screens: an MoU's ledger (committed vs ordered, delivered, paid, overdue
per participant), a participant's POs with their deliveries and payments, and the forms that
record them (htmx inline; plain POST works too).

Access: a role without the model permission gets 403 whatever the object; with it, an MoU
outside the user's scope (``MoU.objects.visible_to``) is a 404. Recording needs the add
(or, for corrections, delete) permission and :func:`kemitraan.realisation.can_record`
(Kemenperin any MoU, a procurement officer their organisation's); KADIN and lenders in
scope read only. Writes go through :mod:`kemitraan.realisation`.
"""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from . import realisation
from .models import Delivery, MoU, MouParticipant, Payment, PurchaseOrder
from .realisation_forms import CorrectionForm, DeliveryForm, PaymentForm, PurchaseOrderForm

MOU_TEMPLATE = "kemitraan/realisation/mou_ledger.html"
PARTICIPANT_TEMPLATE = "kemitraan/realisation/participant_ledger.html"


def _mous(user):
    return MoU.objects.visible_to(user).select_related("buyer__organisation")


def _participant(user, mou_pk, participant_pk) -> MouParticipant:
    return get_object_or_404(
        MouParticipant.objects.filter(mou__in=MoU.objects.visible_to(user)).select_related(
            "mou__buyer__organisation", "ikm"
        ),
        pk=participant_pk,
        mou_id=mou_pk,
    )


class MouLedgerView(PermissionRequiredMixin, View):
    """Per participant: committed vs ordered, delivered, paid, overdue, days to pay."""

    permission_required = "kemitraan.view_purchaseorder"

    def get(self, request, pk):
        mou = get_object_or_404(_mous(request.user), pk=pk)
        context = {"mou": mou, **realisation.mou_ledger(mou)}
        return render(request, MOU_TEMPLATE, context)


def participant_context(request, participant: MouParticipant, *, bound=None) -> dict:
    """The participant's page. ``bound``: (kind, object pk, form) of a refused form, shown
    in its place with its messages."""
    user = request.user
    mou = participant.mou
    may_record = realisation.can_record(user, mou)
    ledger = realisation.participant_ledger(participant)
    context = {
        "mou": mou,
        "participant": participant,
        **ledger,
        "can_add_po": may_record
        and user.has_perm("kemitraan.add_purchaseorder")
        and mou.status in realisation.RECORDING_STATUSES,
        "can_add_delivery": may_record and user.has_perm("kemitraan.add_delivery"),
        "can_add_payment": may_record and user.has_perm("kemitraan.add_payment"),
        "can_correct_delivery": may_record and user.has_perm("kemitraan.delete_delivery"),
        "can_correct_payment": may_record and user.has_perm("kemitraan.delete_payment"),
        "po_form": PurchaseOrderForm(),
        "po_form_open": False,
    }
    kind, pk, form = bound or (None, None, None)
    if kind == "po":
        context["po_form"], context["po_form_open"] = form, True
    for po in ledger["purchase_orders"]:
        po.delivery_form = DeliveryForm(prefix=f"d{po.pk}")
        po.payment_form = PaymentForm(prefix=f"p{po.pk}")
        if kind == "delivery" and pk == po.pk:
            po.delivery_form = form
        if kind == "payment" and pk == po.pk:
            po.payment_form = form
        for d in po.deliveries.all():
            d.correction_prefix = f"dx{d.pk}"
            d.correction_form = form if kind == "delivery-delete" and pk == d.pk else None
        for p in po.payments.all():
            p.correction_prefix = f"px{p.pk}"
            p.correction_form = form if kind == "payment-delete" and pk == p.pk else None
    return context


class ParticipantLedgerView(PermissionRequiredMixin, View):
    """A participant's POs with their deliveries and payments, and the recording forms."""

    permission_required = "kemitraan.view_purchaseorder"

    def get(self, request, pk, participant_pk):
        participant = _participant(request.user, pk, participant_pk)
        return render(request, PARTICIPANT_TEMPLATE, participant_context(request, participant))


class RecordView(PermissionRequiredMixin, View):
    """POST a form; htmx gets the ledger section back (refused: with the messages next to
    the fields, status 422); a plain POST is redirected, or the page re-rendered."""

    kind: str
    form_class = None

    def get_target(self, request, pk):
        """(participant, object the form acts on)"""
        raise NotImplementedError

    def prefix(self, obj):
        return None

    def act(self, obj, data):
        raise NotImplementedError

    def success_message(self, obj) -> str:
        raise NotImplementedError

    def post(self, request, pk, **kwargs):
        participant, obj = self.get_target(request, pk, **kwargs)
        if not realisation.can_record(request.user, participant.mou):
            raise PermissionDenied
        form = self.form_class(request.POST, prefix=self.prefix(obj))
        if form.is_valid():
            try:
                self.act(obj, form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
        url = reverse(
            "kemitraan:participant-realisation", args=[participant.mou_id, participant.pk]
        )
        if form.errors:
            context = participant_context(request, participant, bound=(self.kind, obj.pk, form))
            template = f"{PARTICIPANT_TEMPLATE}#ledger" if request.htmx else PARTICIPANT_TEMPLATE
            return render(request, template, context, status=422)
        message = self.success_message(obj)
        if request.htmx:
            context = participant_context(request, participant)
            context["flash"] = message
            return render(request, f"{PARTICIPANT_TEMPLATE}#ledger", context)
        messages.success(request, message)
        return redirect(url)


def _po(user, pk) -> PurchaseOrder:
    return get_object_or_404(
        PurchaseOrder.objects.visible_to(user).select_related(
            "participant__mou__buyer__organisation", "participant__ikm"
        ),
        pk=pk,
    )


class PurchaseOrderCreateView(RecordView):
    permission_required = "kemitraan.add_purchaseorder"
    kind = "po"
    form_class = PurchaseOrderForm

    def get_target(self, request, pk, participant_pk):
        participant = _participant(request.user, pk, participant_pk)
        return participant, participant

    def prefix(self, obj):
        return "po"

    def act(self, participant, data):
        self.po = realisation.purchase_order_record(
            participant=participant, actor=self.request.user, **data
        )

    def success_message(self, obj):
        return _("Purchase order %(number)s has been recorded.") % {"number": self.po.number}


class DeliveryCreateView(RecordView):
    permission_required = "kemitraan.add_delivery"
    kind = "delivery"
    form_class = DeliveryForm

    def get_target(self, request, pk):
        po = _po(request.user, pk)
        return po.participant, po

    def prefix(self, po):
        return f"d{po.pk}"

    def act(self, po, data):
        realisation.delivery_record(purchase_order=po, actor=self.request.user, **data)

    def success_message(self, po):
        return _("The delivery on %(number)s has been recorded.") % {"number": po.number}


class PaymentCreateView(RecordView):
    permission_required = "kemitraan.add_payment"
    kind = "payment"
    form_class = PaymentForm

    def get_target(self, request, pk):
        po = _po(request.user, pk)
        return po.participant, po

    def prefix(self, po):
        return f"p{po.pk}"

    def act(self, po, data):
        realisation.payment_record(purchase_order=po, actor=self.request.user, **data)

    def success_message(self, po):
        return _("The payment on %(number)s has been recorded.") % {"number": po.number}


class DeliveryDeleteView(RecordView):
    permission_required = "kemitraan.delete_delivery"
    kind = "delivery-delete"
    form_class = CorrectionForm

    def get_target(self, request, pk):
        delivery = get_object_or_404(
            Delivery.objects.visible_to(request.user).select_related(
                "purchase_order__participant__mou__buyer__organisation",
                "purchase_order__participant__ikm",
            ),
            pk=pk,
        )
        return delivery.purchase_order.participant, delivery

    def prefix(self, delivery):
        return f"dx{delivery.pk}"

    def act(self, delivery, data):
        self.number = delivery.purchase_order.number
        realisation.delivery_delete(
            delivery=delivery, reason=data["reason"], actor=self.request.user
        )

    def success_message(self, obj):
        return _("A delivery on %(number)s has been removed.") % {"number": self.number}


class PaymentDeleteView(RecordView):
    permission_required = "kemitraan.delete_payment"
    kind = "payment-delete"
    form_class = CorrectionForm

    def get_target(self, request, pk):
        payment = get_object_or_404(
            Payment.objects.visible_to(request.user).select_related(
                "purchase_order__participant__mou__buyer__organisation",
                "purchase_order__participant__ikm",
            ),
            pk=pk,
        )
        return payment.purchase_order.participant, payment

    def prefix(self, payment):
        return f"px{payment.pk}"

    def act(self, payment, data):
        self.number = payment.purchase_order.number
        realisation.payment_delete(payment=payment, reason=data["reason"], actor=self.request.user)

    def success_message(self, obj):
        return _("A payment on %(number)s has been removed.") % {"number": self.number}
