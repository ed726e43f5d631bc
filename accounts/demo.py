"""Demo organisations and one user per role (demo passwords exist only in demo data)."""

from django.contrib.auth.models import Group

from .models import Organisation, User
from .roles import Role

DEMO_PASSWORD = "kemitraan-demo"

DEMO_ORGANISATIONS = [
    ("Kementerian Perindustrian", "kemenperin"),
    ("KADIN Indonesia", "kadin"),
]

# (username, role, organisation name, description for the README and `make run`)
DEMO_USERS = [
    ("staf.kemenperin", Role.KEMENPERIN, "Kementerian Perindustrian", "Staf Kemenperin"),
    ("pengadaan.garuda", Role.PENGADAAN, "PT Garuda Motor Indonesia", "Petugas pengadaan APM"),
    ("pengadaan.ydba", Role.PENGADAAN, "Yayasan Dharma Bhakti Astra", "Petugas pengadaan YDBA"),
    ("admin.kadin", Role.KADIN, "KADIN Indonesia", "Admin KADIN"),
    ("kredit.mandiri", Role.PEMBIAYAAN, "PT Bank Mandiri (Persero) Tbk", "Petugas Bank Mandiri"),
]


def seed_organisation(name: str, kind: str) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        name=name, defaults={"kind": kind, "is_demo": True}
    )
    return organisation


def seed_organisations() -> None:
    for name, kind in DEMO_ORGANISATIONS:
        seed_organisation(name, kind)


def seed_users() -> dict[str, User]:
    """Create the demo users; existing ones are left exactly as they are."""
    users = {}
    for username, role, org_name, _label in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                organisation=Organisation.objects.get(name=org_name),
                is_staff=role == Role.KEMENPERIN,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.add(Group.objects.get(name=role.value))
        users[username] = user
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "", DEMO_PASSWORD)
    return users
