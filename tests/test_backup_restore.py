"""Backup and restore: scripts/backup.sh dumps the database, scripts/restore.sh loads the
dump into a new database, and every table comes back with all its rows."""

import os
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection
from psycopg2 import sql

from .factories import (
    AkadKreditFactory,
    CertificateFactory,
    DemandFactory,
    IkmFactory,
    MouParticipantFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parent.parent
# Trust authentication ignores a password it did not ask for: with none configured, this
# one stands in to show that no script prints the password of the URL it is given.
STAND_IN_PASSWORD = "not-a-real-secret-4711"


def _url(name: str) -> tuple[str, str]:
    """A postgres:// URL of a database on the test server, and its password."""
    db = connection.settings_dict
    password = db.get("PASSWORD") or STAND_IN_PASSWORD
    url = (
        f"postgres://{db['USER'] or 'postgres'}:{password}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    )
    return url, password


def _connect(name: str):
    db = connection.settings_dict
    conn = psycopg2.connect(
        dbname=name,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
    )
    conn.autocommit = True
    return conn


def _row_counts(name: str) -> dict[str, int]:
    """Rows in every user table of a database, by schema-qualified name."""
    conn = _connect(name)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT n.nspname, c.relname FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p') "
                "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2"
            )
            tables = cursor.fetchall()
            counts = {}
            for schema, table in tables:
                cursor.execute(
                    sql.SQL("SELECT count(*) FROM {}.{}").format(
                        sql.Identifier(schema), sql.Identifier(table)
                    )
                )
                counts[f"{schema}.{table}"] = cursor.fetchone()[0]
            return counts
    finally:
        conn.close()


def _script(*args: str, database_url: str = "") -> subprocess.CompletedProcess:
    """Run a script as `bash scripts/...` does, with DATABASE_URL set only if given."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        ["bash", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def new_database():
    """An empty database on the same server, dropped after the test."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"[:63]
    admin = _connect("postgres")
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        admin.close()


def test_a_backup_restored_into_a_new_database_has_every_row(tmp_path, new_database):
    # Records of every domain, committed: registry, needs and suggestions, MoU, credit.
    ikm = IkmFactory(name="CV Cadangan Pulih")
    CertificateFactory(ikm=ikm)
    DemandFactory.create_batch(2)
    IkmFactory.create_batch(2)  # rescored against the open needs: suggestions
    MouParticipantFactory(ikm=ikm)
    AkadKreditFactory(borrower=ikm)
    UserFactory()
    source = connection.settings_dict["NAME"]
    source_url, password = _url(source)
    target_url, _ = _url(new_database)
    dump = tmp_path / "kemitraan.dump"

    backup = _script("scripts/backup.sh", str(dump), database_url=source_url)
    assert backup.returncode == 0, backup.stderr
    assert dump.stat().st_size > 0
    restore = _script("scripts/restore.sh", str(dump), target_url)
    assert restore.returncode == 0, restore.stderr

    before, after = _row_counts(source), _row_counts(new_database)
    assert set(after) == set(before)
    differing = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
    assert not differing, differing
    for table in (
        "public.ikm_ikm",
        "public.ikm_certificate",
        "public.kemitraan_demand",
        "public.kemitraan_matchsuggestion",
        "public.kemitraan_mouparticipant",
        "public.pembiayaan_akadkredit",
        "public.accounts_user",
        "public.ikm_regency",  # reference data of the migrations
    ):
        assert after[table] > 0, table
    conn = _connect(new_database)
    with conn.cursor() as cursor:
        cursor.execute("SELECT nib FROM ikm_ikm WHERE name = %s", ["CV Cadangan Pulih"])
        assert cursor.fetchone() == (ikm.nib,)
    conn.close()

    # Neither script prints the password of the URL it was given.
    for result in (backup, restore):
        assert password not in result.stdout + result.stderr
    assert f"/{source}" in backup.stdout


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(tmp_path, new_database):
    IkmFactory(name="CV Sebelum Cadangan")
    source_url, password = _url(connection.settings_dict["NAME"])
    target_url, _ = _url(new_database)
    dump = tmp_path / "kemitraan.dump"
    assert _script("scripts/backup.sh", str(dump), database_url=source_url).returncode == 0
    assert _script("scripts/restore.sh", str(dump), target_url).returncode == 0
    # The restored database gets a record of its own; a second restore must not erase it.
    conn = _connect(new_database)
    with conn.cursor() as cursor:
        cursor.execute("UPDATE ikm_ikm SET name = 'CV Diubah Setelah Pulih'")
    restored = _row_counts(new_database)

    refused = _script("scripts/restore.sh", str(dump), target_url)

    assert refused.returncode != 0
    assert "not empty" in refused.stderr
    assert password not in refused.stdout + refused.stderr
    assert _row_counts(new_database) == restored
    with conn.cursor() as cursor:
        cursor.execute("SELECT name FROM ikm_ikm")
        assert cursor.fetchall() == [("CV Diubah Setelah Pulih",)]

    forced = _script("scripts/restore.sh", "--force", str(dump), target_url)

    assert forced.returncode == 0, forced.stderr
    with conn.cursor() as cursor:
        cursor.execute("SELECT name FROM ikm_ikm")
        assert cursor.fetchall() == [("CV Sebelum Cadangan",)]
    conn.close()
    assert _row_counts(new_database) == _row_counts(connection.settings_dict["NAME"])
