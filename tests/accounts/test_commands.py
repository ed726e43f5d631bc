"""add_org and add_user: provisioning from the command line, with clear errors."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Organisation
from accounts.roles import Role

pytestmark = pytest.mark.django_db
User = get_user_model()
ROOT = Path(__file__).resolve().parents[2]


def test_add_org_creates_an_organisation_and_its_buyer_profile():
    call_command("add_org", "PT Astra Honda Motor Uji", kind="apm")
    organisation = Organisation.objects.get(name="PT Astra Honda Motor Uji")
    assert organisation.kind == "apm"
    assert organisation.buyer_profile.pk


def test_add_org_lender_gets_a_lender_profile():
    call_command("add_org", "PT Bank Uji Sejahtera", kind="bpr")
    assert Organisation.objects.get(name="PT Bank Uji Sejahtera").lender_profile.pk


def test_add_org_refuses_unknown_kind_and_lists_the_kinds():
    with pytest.raises(CommandError, match="apm, tier1"):
        call_command("add_org", "PT Salah", kind="koperasi")
    assert not Organisation.objects.filter(name="PT Salah").exists()


def test_add_org_refuses_a_duplicate_name_in_any_case():
    call_command("add_org", "PT Sama", kind="apm")
    with pytest.raises(CommandError, match="PT Sama"):
        call_command("add_org", "pt  sama", kind="tier1")
    assert Organisation.objects.filter(name__iexact="pt sama").count() == 1


def test_add_user_with_role_and_organisation():
    Organisation.objects.create(name="PT Mitra Uji", kind="tier1")
    call_command(
        "add_user", "budi", role="pengadaan", org="PT Mitra Uji", password="pengadaan-rahasia-7"
    )
    user = User.objects.get(username="budi")
    assert user.role == Role.PENGADAAN
    assert user.organisation.name == "PT Mitra Uji"
    assert user.check_password("pengadaan-rahasia-7")


def test_add_user_kemenperin_needs_no_organisation_and_may_curate_in_the_admin():
    call_command("add_user", "siti", role="kemenperin", password="staf-kemenperin-9")
    siti = User.objects.get(username="siti")
    assert siti.role == Role.KEMENPERIN
    assert siti.is_staff and not siti.is_superuser


def test_scoped_roles_get_no_admin_access():
    Organisation.objects.create(name="PT Mitra Uji", kind="tier1")
    call_command(
        "add_user", "eko", role="pengadaan", org="PT Mitra Uji", password="kata-sandi-aman-1"
    )
    assert not User.objects.get(username="eko").is_staff


@pytest.mark.parametrize("role", ["pengadaan", "pembiayaan"])
def test_add_user_requires_org_for_scoped_roles(role):
    with pytest.raises(CommandError, match="--org"):
        call_command("add_user", "tanpa.org", role=role, password="kata-sandi-aman-1")
    assert not User.objects.filter(username="tanpa.org").exists()


def test_add_user_unknown_org_lists_the_closest_names():
    Organisation.objects.create(name="PT Astra Otoparts Tbk", kind="tier1")
    Organisation.objects.create(name="PT Astra Honda Motor", kind="apm")
    with pytest.raises(CommandError) as excinfo:
        call_command(
            "add_user",
            "andi",
            role="pengadaan",
            org="PT Astra Otopart",
            password="kata-sandi-aman-1",
        )
    assert "PT Astra Otoparts Tbk" in str(excinfo.value)
    assert not User.objects.filter(username="andi").exists()


def test_add_user_org_of_the_wrong_kind():
    Organisation.objects.create(name="PT Bank Uji", kind="bank")
    with pytest.raises(CommandError, match="PT Bank Uji"):
        call_command(
            "add_user", "rina", role="pengadaan", org="PT Bank Uji", password="kata-sandi-aman-1"
        )
    assert not User.objects.filter(username="rina").exists()


def test_add_user_unknown_role_duplicate_username_and_weak_password():
    with pytest.raises(CommandError, match="pengadaan"):
        call_command("add_user", "x1", role="admin", password="kata-sandi-aman-1")
    call_command("add_user", "dewi", role="kadin", password="kata-sandi-aman-1")
    with pytest.raises(CommandError, match="dewi"):
        call_command("add_user", "Dewi", role="kadin", password="kata-sandi-aman-1")
    with pytest.raises(CommandError):
        call_command("add_user", "lemah", role="kadin", password="12345")
    assert not User.objects.filter(username__in=["x1", "lemah"]).exists()


def test_drf_create_token_works_for_a_provisioned_user():
    from rest_framework.authtoken.models import Token

    call_command("add_user", "api.user", role="kadin", password="kata-sandi-aman-1")
    call_command("drf_create_token", "api.user")
    assert Token.objects.filter(user__username="api.user").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_errors_exit_non_zero_in_a_real_process():
    """The exit code is what provisioning scripts check."""
    from django.db import connection

    db = connection.settings_dict
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "add_user",
            "x",
            "--role",
            "pengadaan",
            "--password",
            "p" * 12,
        ],
        cwd=ROOT,
        env={"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "--org" in result.stderr
