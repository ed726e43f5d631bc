"""Import IKM from a spreadsheet on the command line (the same engine as the upload page)."""

import hashlib
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from ikm.importing import (
    FILE_ALREADY_RUNNING,
    error_workbook,
    ikm_import_apply,
    ikm_import_preview,
    import_job_create,
)
from ikm.models import ImportJob


class Command(BaseCommand):
    help = (
        "Import IKM from an .xlsx or .csv file in the import template: "
        "python manage.py import_ikm FILE [--dry-run] [--errors-out FILE.xlsx] [--by USERNAME]. "
        "Prints the counts; exits with 0 when no row was invalid, 1 otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="An .xlsx or .csv file in the import template.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row; write nothing."
        )
        parser.add_argument(
            "--errors-out", metavar="FILE.xlsx", help="Write the invalid rows to this workbook."
        )
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="The user recorded as importer (created_by, history); the job is then kept "
            "and shown on the import page. Without it nothing but the IKM is stored.",
        )

    def handle(self, *args, file, dry_run, errors_out, by, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        actor = None
        if by:
            actor = get_user_model().objects.filter(username=by).first()
            if actor is None:
                raise CommandError(f"No user named {by!r}.")
            try:
                with path.open("rb") as handle:
                    job = import_job_create(uploaded_file=File(handle, name=path.name), actor=actor)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        else:
            sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
            running = ImportJob.objects.filter(
                file_sha256=sha256, status__in=ImportJob.RUNNING_STATUSES
            )
            if running.exists():
                raise CommandError(str(FILE_ALREADY_RUNNING))
            job = ImportJob(file_name=path.name, file_sha256=sha256)  # kept in memory only

        source = path
        if dry_run:
            ikm_import_preview(job=job, source=source)
        else:
            ikm_import_apply(job=job, actor=actor, source=source)
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(job.error_message)

        for warning in job.warnings:
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        for row in job.rows:
            if row["action"] == "invalid":
                reasons = "; ".join(
                    f"{e['column']}: {e['message']}" if e["column"] else e["message"]
                    for e in row["errors"]
                )
                self.stdout.write(f"Row {row['row']} (NIB {row['nib'] or '-'}): {reasons}")
        counts = job.counts
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        self.stdout.write(f"created: {counts['create']}")
        self.stdout.write(f"updated: {counts['update']}")
        self.stdout.write(f"unchanged: {counts['unchanged']}")
        self.stdout.write(f"invalid: {counts['invalid']}")
        if errors_out:
            Path(errors_out).write_bytes(error_workbook(job, source=source))
            self.stdout.write(f"Invalid rows written to {errors_out}")
        if counts["invalid"]:
            raise CommandError(
                f"{counts['invalid']} row(s) are invalid and were not imported.", returncode=1
            )
