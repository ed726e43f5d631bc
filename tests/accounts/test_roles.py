"""Each role holds the permissions its work needs, and no more."""

import pytest
from django.contrib.auth.models import Group

from accounts.roles import ROLE_PERMISSIONS, Role, sync_roles

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_with_exactly_its_permissions():
    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role.value)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(perms), role


def test_every_listed_permission_exists():
    """A typo in ROLE_PERMISSIONS would silently drop a permission: catch it here."""
    from django.contrib.auth.models import Permission

    existing = {
        f"{app}.{code}"
        for app, code in Permission.objects.values_list("content_type__app_label", "codename")
    }
    for role, perms in ROLE_PERMISSIONS.items():
        assert set(perms) <= existing, (role, set(perms) - existing)


def test_sync_roles_restores_permissions_changed_by_hand():
    group = Group.objects.get(name=Role.KADIN.value)
    group.permissions.clear()
    sync_roles()
    assert group.permissions.count() == len(ROLE_PERMISSIONS[Role.KADIN])


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (
            Role.KEMENPERIN,
            ["ikm.add_ikm", "ikm.verify_ikm", "kemitraan.add_mou", "pembiayaan.view_akadkredit"],
            ["pembiayaan.add_akadkredit", "kemitraan.add_demand", "ikm.delete_ikm"],
        ),
        (
            Role.PENGADAAN,
            ["kemitraan.add_demand", "kemitraan.change_matchsuggestion", "kemitraan.add_mou"],
            ["ikm.add_ikm", "ikm.verify_ikm", "pembiayaan.view_akadkredit", "kemitraan.delete_mou"],
        ),
        (
            Role.KADIN,
            ["ikm.view_ikm", "kemitraan.view_mou", "pembiayaan.view_akadkredit"],
            ["ikm.add_ikm", "kemitraan.add_demand", "pembiayaan.add_akadkredit", "ikm.change_ikm"],
        ),
        (
            Role.PEMBIAYAAN,
            ["pembiayaan.add_akadkredit", "pembiayaan.change_akadkredit", "kemitraan.view_mou"],
            ["ikm.add_ikm", "kemitraan.add_demand", "kemitraan.add_mou", "kemitraan.view_demand"],
        ),
    ],
)
def test_role_permissions(users_by_role, role, allowed, refused):
    user = users_by_role[role]
    assert user.role == role
    for perm in allowed:
        assert user.has_perm(perm), perm
    for perm in refused:
        assert not user.has_perm(perm), perm


def test_only_kemenperin_kadin_and_superusers_see_everything(users_by_role, django_user_model):
    assert users_by_role[Role.KEMENPERIN].sees_everything
    assert users_by_role[Role.KADIN].sees_everything
    assert not users_by_role[Role.PENGADAAN].sees_everything
    assert not users_by_role[Role.PEMBIAYAAN].sees_everything
    assert django_user_model.objects.create_superuser("root", "", "x" * 12).sees_everything
