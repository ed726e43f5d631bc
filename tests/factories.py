"""factory_boy factories for every domain model. Region and reference data come from
the migrations (real Kemendagri codes), so factories pick existing rows."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from accounts.models import Organisation, User
from ikm.models import IKM, Certificate, CertificationType, Kbli, ProcessCapability, Regency
from kemitraan.models import (
    BuyerProfile,
    Demand,
    LinkMatchEvent,
    MatchSuggestion,
    MoU,
    MouParticipant,
)
from pembiayaan.models import AkadKredit, CreditScheme, LenderProfile


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisasi Uji {n}")
    kind = "apm"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"pengguna{n}")
    password = factory.django.Password("kata-sandi-uji-123")
    organisation = None

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=str(extracted)))


class IkmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IKM
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"CV Logam Uji {n}")
    legal_form = IKM.LegalForm.CV
    nib = factory.Sequence(lambda n: f"{9100000000000 + n:013d}")
    regency = factory.LazyFunction(lambda: Regency.objects.get(code="32.16"))
    province = factory.LazyAttribute(lambda o: o.regency.province)
    workforce = 12
    investment_value = 500_000_000
    annual_revenue = 1_800_000_000
    products = "bracket knalpot, dudukan mesin"
    materials = "plat baja SPCC"
    verification_status = IKM.Status.VERIFIED

    @factory.post_generation
    def processes(self, create, extracted, **kwargs):
        if create:
            slugs = extracted if extracted is not None else ["stamping"]
            self.processes.set(ProcessCapability.objects.filter(slug__in=slugs))

    @factory.post_generation
    def kbli(self, create, extracted, **kwargs):
        if create:
            codes = extracted if extracted is not None else ["29300"]
            self.kbli.set(Kbli.objects.filter(code__in=codes))


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    ikm = factory.SubFactory(IkmFactory)
    certification_type = factory.LazyFunction(lambda: CertificationType.objects.get(code="ISO9001"))
    number = factory.Sequence(lambda n: f"QMS-{n:05d}")
    valid_from = datetime.date(2024, 1, 1)
    valid_until = datetime.date(2027, 12, 31)


class BuyerProfileFactory(factory.django.DjangoModelFactory):
    """The profile exists as soon as a buyer-kind organisation does (signal)."""

    class Meta:
        model = BuyerProfile
        django_get_or_create = ("organisation",)

    organisation = factory.SubFactory(OrganisationFactory, kind="apm")


class DemandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Demand

    buyer = factory.SubFactory(BuyerProfileFactory)
    title = factory.Sequence(lambda n: f"Bracket knalpot tahap {n}")
    description = "Bracket knalpot plat baja SPCC tebal 2 mm, dicat hitam."
    quantity_per_month = 20_000
    unit = "pcs"
    annual_value = 2_400_000_000


class MatchSuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatchSuggestion

    demand = factory.SubFactory(DemandFactory)
    ikm = factory.SubFactory(IkmFactory)
    rank = factory.Sequence(lambda n: n + 1)
    score = Decimal("75.000")
    engine_version = "test"


class LinkMatchEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LinkMatchEvent

    name = factory.Sequence(lambda n: f"Link & Match Uji {n}")
    kind = LinkMatchEvent.Kind.EXHIBITION
    start_date = datetime.date(2022, 11, 1)
    end_date = datetime.date(2022, 11, 1)
    organiser = factory.SubFactory(OrganisationFactory, kind="kemenperin", name="Kemenperin Uji")


class MouFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MoU

    number = factory.Sequence(lambda n: f"{n:03d}/UJI/MoU/XI/2022")
    title = "Kemitraan pemasokan komponen"
    buyer = factory.SubFactory(BuyerProfileFactory)
    signing_date = datetime.date(2022, 11, 1)
    valid_from = datetime.date(2022, 11, 1)
    valid_until = datetime.date(2025, 10, 31)
    partnership_pattern = MoU.Pattern.RANTAI_PASOK
    status = MoU.Status.ACTIVE


class MouParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MouParticipant

    mou = factory.SubFactory(MouFactory)
    ikm = factory.SubFactory(IkmFactory)
    committed_market_access = 3_000_000_000


class LenderProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LenderProfile
        django_get_or_create = ("organisation",)

    organisation = factory.SubFactory(OrganisationFactory, kind="bank")


class AkadKreditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AkadKredit

    lender = factory.SubFactory(LenderProfileFactory)
    borrower = factory.SubFactory(IkmFactory)
    scheme = factory.LazyFunction(lambda: CreditScheme.objects.get(code="kmk"))
    application_number = factory.Sequence(lambda n: f"APP/UJI/{n:04d}")
    plafon = 1_000_000_000
    tenor_months = 36
    interest_rate = Decimal("9.50")
    applied_on = datetime.date(2022, 10, 1)
