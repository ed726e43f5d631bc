"""Fixtures for the credit tests: two lenders with their officers, and a borrower."""

import pytest

from accounts.roles import Role

from ..factories import IkmFactory, LenderProfileFactory, UserFactory


@pytest.fixture
def lender(lender_org):
    """The lender of ``pembiayaan_user`` (the officer)."""
    return LenderProfileFactory(organisation=lender_org)


@pytest.fixture
def other_lender(other_lender_org):
    return LenderProfileFactory(organisation=other_lender_org)


@pytest.fixture
def officer(pembiayaan_user):
    """A lender officer of ``lender``."""
    return pembiayaan_user


@pytest.fixture
def colleague(lender_org):
    """A second officer of ``lender``: tells who acted apart from who set the scene."""
    return UserFactory(role=Role.PEMBIAYAAN, organisation=lender_org)


@pytest.fixture
def other_officer(other_lender_org):
    """A lender officer of ``other_lender``."""
    return UserFactory(role=Role.PEMBIAYAAN, organisation=other_lender_org)


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def borrower(db):
    return IkmFactory(name="CV Borrower Uji")
