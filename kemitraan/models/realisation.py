"""The realisation ledger: purchase orders against an MoU participant, their deliveries and
their payments. What an MoU committed is compared with what was ordered, delivered and paid
(see ``kemitraan.realisation``)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.history import AuditedHistoricalModel
from accounts.models import RecordedModel

from .buyers import BuyerProfile
from .mou import MoU, MouParticipant


class PurchaseOrderQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The purchase orders of the MoUs the user may see."""
        return self.filter(participant__mou__in=MoU.objects.visible_to(user))


class PurchaseOrder(RecordedModel):
    """A purchase order (PO) a buyer placed with an IKM under an MoU."""

    participant = models.ForeignKey(
        MouParticipant,
        verbose_name=_("MoU participant"),
        on_delete=models.PROTECT,
        related_name="purchase_orders",
    )
    buyer = models.ForeignKey(
        BuyerProfile,
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        related_name="purchase_orders",
        help_text=_("The MoU's buyer-side party: PO numbers are unique per buyer."),
    )
    number = models.CharField(_("PO number"), max_length=100)
    order_date = models.DateField(_("order date"))
    value = models.BigIntegerField(_("order value (Rp)"))
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), default=30, help_text=_("Days from delivery to payment.")
    )
    description = models.TextField(_("parts ordered"), blank=True)

    objects = PurchaseOrderQuerySet.as_manager()
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-order_date", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "number"],
                name="po_number_unique_per_buyer",
                violation_error_message=_(
                    "This buyer already has a purchase order with this number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(value__gt=0),
                name="po_value_positive",
                violation_error_message=_("The order value must be greater than zero."),
            ),
            models.CheckConstraint(
                condition=Q(payment_terms_days__lte=365),
                name="po_terms_at_most_a_year",
                violation_error_message=_("Payment terms cannot exceed 365 days."),
            ),
        ]

    def __str__(self):
        return self.number


class DeliveryQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(purchase_order__in=PurchaseOrder.objects.visible_to(user))


class Delivery(models.Model):
    """Goods delivered against a purchase order (a PO may be delivered in parts)."""

    purchase_order = models.ForeignKey(
        PurchaseOrder,
        verbose_name=_("purchase order"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    date = models.DateField(_("delivery date"))
    value = models.BigIntegerField(_("delivered value (Rp)"))
    reference = models.CharField(_("delivery note"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["purchase_order", "date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gt=0),
                name="delivery_value_positive",
                violation_error_message=_("The delivered value must be greater than zero."),
            ),
        ]

    def __str__(self):
        return f"{self.purchase_order.number} {self.date}"


class PaymentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(purchase_order__in=PurchaseOrder.objects.visible_to(user))


class Payment(models.Model):
    """A payment the buyer made against a purchase order (possibly in parts)."""

    purchase_order = models.ForeignKey(
        PurchaseOrder,
        verbose_name=_("purchase order"),
        on_delete=models.CASCADE,
        related_name="payments",
    )
    date = models.DateField(_("payment date"))
    value = models.BigIntegerField(_("paid value (Rp)"))
    reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PaymentQuerySet.as_manager()
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["purchase_order", "date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gt=0),
                name="payment_value_positive",
                violation_error_message=_("The paid value must be greater than zero."),
            ),
        ]

    def __str__(self):
        return f"{self.purchase_order.number} {self.date}"
