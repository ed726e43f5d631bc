"""Bulk import and export of IKM through spreadsheets (.xlsx and .csv).

The flow: an upload becomes an :class:`~ikm.models.ImportJob` (``import_job_create``,
status ``queued``); ``ikm_import_preview`` (Celery: ``ikm.tasks.ikm_import_preview_task``)
checks every row and writes nothing (``previewing`` → ``preview_ready``); after the user
confirms, ``ikm_import_apply`` (``ikm.tasks.ikm_import_apply_task``) checks every row again
against the current database and writes the valid ones in one transaction (``importing`` →
``done``). A file-level problem or a crash ends in ``failed`` with ``error_message`` set,
and nothing written. Rows are upserted by NIB; invalid rows are never written.

Public functions (all take and return plain values or model instances):

- ``read_table(source, file_name) -> Table``
- ``import_job_create(*, uploaded_file, actor) -> ImportJob``
- ``ikm_import_preview(*, job, source=None) -> ImportJob``
- ``ikm_import_apply(*, job, actor, source=None) -> ImportJob``
- ``import_job_progress(job) -> dict``
- ``template_workbook() -> bytes``, ``error_workbook(job, *, source=None) -> bytes``
- ``export_ikm(queryset, fmt) -> bytes``

Row results (``ImportJob.rows``, one per non-empty row, in file order)::

    {"row": 7,                 # spreadsheet row number; the header is row 1
     "nib": "9120001234567",   # as parsed, or the cell text when it is not a valid NIB
     "name": "CV Maju Jaya",
     "action": "create" | "update" | "unchanged" | "invalid",
     "errors": [{"column": "npwp", "message": "..."}],   # column "" for a row-level error
     "changes": ["nilai_investasi", "kbli"]}             # template columns changed (update)

``ImportJob.counts`` is ``{"create": n, "update": n, "unchanged": n, "invalid": n}`` (what the
preview would do, then what the import did); ``ImportJob.warnings`` holds file-level warnings
(strings). Messages are rendered in the language active while the job runs (Indonesian in
the Celery worker).

Updates change only the fields whose columns are in the file: a column left out keeps the
stored values, an empty cell in a present column clears an optional field. Certificates
named in ``sertifikasi`` are added (type only, no dates) when the IKM has no valid one of
that type; certificates are never deleted. KBLI codes and processes are set to the file's
list when the column is present. A row that changes nothing writes nothing.

The modules: ``columns`` (the template's columns, the messages, header mapping),
``reading`` (a file as a :class:`Table`), ``rows`` (the row importer and its writes),
``constraints`` (check constraints for a chunk of rows), ``jobs`` (the ImportJob services)
and ``workbooks`` (template, error workbook, export).
"""

from .columns import (
    COLUMN_NAMES,
    COLUMN_REPEATED,
    COLUMN_UNKNOWN,
    COLUMNS,
    COLUMNS_BY_NAME,
    COLUMNS_MISSING,
    DATA_SHEET,
    DUPLICATE_NIB,
    ERROR_COLUMN,
    FILE_ALREADY_RUNNING,
    FILE_NO_HEADER,
    FILE_TOO_LARGE,
    FILE_TOO_MANY_ROWS,
    FILE_TYPE,
    FILE_UNREADABLE,
    FILE_XLS,
    IMPORT_CRASHED,
    REQUIRED_COLUMNS,
    XLSX_CONTENT_TYPE,
    Column,
    ImportFileError,
    header_key,
    map_columns,
)

# The private helpers below are re-exported for the tests. The importer looks up
# _write_chunk and CHUNK_SIZE in ikm.importing.rows: patch them there.
from .constraints import _constraint_violations as _constraint_violations
from .constraints import _violation_message as _violation_message
from .jobs import (
    MAX_FILE_BYTES,
    PROGRESS_CACHE_TIMEOUT,
    ikm_import_apply,
    ikm_import_preview,
    import_job_create,
    import_job_progress,
)
from .reading import MAX_ROWS, Table, read_table
from .rows import CHUNK_SIZE
from .rows import _Importer as _Importer
from .rows import _write_chunk as _write_chunk
from .workbooks import (
    CONTACT_COLUMNS,
    error_workbook,
    export_columns,
    export_ikm,
    template_workbook,
)

__all__ = [
    "CHUNK_SIZE",
    "COLUMNS",
    "COLUMNS_BY_NAME",
    "COLUMNS_MISSING",
    "COLUMN_NAMES",
    "COLUMN_REPEATED",
    "COLUMN_UNKNOWN",
    "CONTACT_COLUMNS",
    "DATA_SHEET",
    "DUPLICATE_NIB",
    "ERROR_COLUMN",
    "FILE_ALREADY_RUNNING",
    "FILE_NO_HEADER",
    "FILE_TOO_LARGE",
    "FILE_TOO_MANY_ROWS",
    "FILE_TYPE",
    "FILE_UNREADABLE",
    "FILE_XLS",
    "IMPORT_CRASHED",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "PROGRESS_CACHE_TIMEOUT",
    "REQUIRED_COLUMNS",
    "XLSX_CONTENT_TYPE",
    "Column",
    "ImportFileError",
    "Table",
    "error_workbook",
    "export_columns",
    "export_ikm",
    "header_key",
    "ikm_import_apply",
    "ikm_import_preview",
    "import_job_create",
    "import_job_progress",
    "map_columns",
    "read_table",
    "template_workbook",
]
