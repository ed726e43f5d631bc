"""No personal data in the logs: the suite's log file is scanned for NIK, Indonesian phone
numbers, e-mail addresses and the demo program's contact people.

The test settings send every log line of the run to ``settings.TEST_LOG_FILE`` as well
(see ``config/settings/test.py``). This file's name sorts after every other test module, so
pytest runs it last and the file then holds what the whole suite logged. Run alone it scans
only its own lines, and still proves that the logging reaches the file it reads.

What counts as personal data here:

- **NIK**: 16 digits starting with a province code (11-96), with a birth date at digits 7-12
  (the day plus 40 for women). Business NPWP in the 16-digit form start with 0 and never
  match; NIB have 13 digits.
- **Phone numbers**: Indonesian mobile numbers, ``+62 8..``, ``62 8..`` or ``08..``, with or
  without spaces and dashes.
- **E-mail addresses**, except the platform's own sender address (``DEFAULT_FROM_EMAIL``).
  The test data's addresses are on ``.example``: those are the persons of the tests, so that
  domain is not excused.
- **Known values**: the contact names, phones and e-mails of the demo IKM.

The Celery worker's own log (``var/test-worker.log``) is scanned as well when a worker ran in
this session. A failure names the file, line, kind, a masked value and the logger.
"""

import logging
import re
import uuid
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings

from ikm.demo_data import DEMO_IKM

PROBE = "personal-data-probe"

NIK = re.compile(
    r"(?<!\d)(?<!\d\.)"  # not inside a longer number, nor the decimals of one
    r"(?:1[1-9]|21|3[1-6]|5[1-3]|6[1-5]|7[1-6]|8[12]|9[1-6])"  # province
    r"\d{4}"  # regency and district
    r"(?:0[1-9]|[12]\d|3[01]|4[1-9]|[56]\d|7[01])"  # day of birth (+40 for women)
    r"(?:0[1-9]|1[0-2])"  # month
    r"\d{2}"  # year
    r"\d{4}"  # serial
    r"(?!\d)"
)
PHONE = re.compile(r"(?<![\w+\-])(?<!\d\.)(?:\+62|62|0)[ -]?8[1-9](?:[ -]?\d){6,10}(?![\w]|-\d)")
EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")

# "2026-11-29 18:42:29,050 INFO ikm.views ..." (ours) or "[2026-11-29 ...: INFO/MainProcess]"
LOG_HEADER = re.compile(r"^\[?\d{4}-\d\d-\d\d [\d:,]+:? ?([A-Z]+[ /]\S+)")


def _own_addresses() -> set[str]:
    return {
        parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower(),
        parseaddr(getattr(settings, "SERVER_EMAIL", ""))[1].lower(),
    } - {""}


def _known_values() -> list[str]:
    values = []
    for ikm in DEMO_IKM:
        values += [ikm.get("contact_name"), ikm.get("contact_phone"), ikm.get("contact_email")]
    return sorted({v for v in values if v and len(v) >= 6})


def _mask(value: str) -> str:
    """Enough to find the line, not the value itself: the report must not leak either."""
    return value[:3] + "…" + value[-2:] if len(value) > 6 else "…"


def find_personal_data(text: str) -> list[tuple[str, str]]:
    """(kind, masked value) for every piece of personal data in ``text``."""
    found = [("NIK", m.group()) for m in NIK.finditer(text)]
    found += [("phone", m.group()) for m in PHONE.finditer(text)]
    own = _own_addresses()
    for match in EMAIL.finditer(text):
        domain = match.group(1)
        if match.group().lower() in own or re.fullmatch(r"[\d.]+", domain):
            continue  # the platform's sender; user@127.0.0.1 in a connection string
        found.append(("e-mail", match.group()))
    found += [("demo contact", value) for value in _known_values() if value in text]
    return [(kind, _mask(value)) for kind, value in found]


def _log_files() -> list[Path]:
    """The suite's log, and the Celery worker's when a worker ran in this session."""
    files = [Path(settings.TEST_LOG_FILE)]
    worker = Path(settings.BASE_DIR) / "var" / "test-worker.log"
    if worker.exists() and worker.stat().st_mtime >= settings.TEST_RUN_STARTED:
        files.append(worker)
    return files


def _flush_logging() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()


def _origin(line: str) -> str:
    """Which logger wrote ``line`` (never its message, which holds the personal data)."""
    match = LOG_HEADER.match(line)
    return match.group(1) if match else "inside a multi-line entry"


# --- The scanner finds what it must, and only that ------------------------------------------


def test_the_scanner_flags_personal_data():
    samples = {
        "NIK": [
            "nik=3201014501900001",  # Jawa Barat, woman born 5 Jan 1990
            "3578122308850003 registered",
            "NIK 3201014501900001.",
        ],
        "phone": [
            "calling +6281234567890",
            "call 0812-3456-7890 now",
            "wa: 62 812 3456 789",
            "(0857 1234 5678)",
        ],
        "e-mail": ["sent to siti@x.example", "From: Budi <budi.santoso@contoh.co.id>"],
        "demo contact": ["contact Agus Wicaksono asked"],
    }
    for kind, lines in samples.items():
        for line in lines:
            assert kind in [k for k, _ in find_personal_data(line)], line


def test_the_scanner_leaves_ordinary_lines_alone():
    ordinary = [
        "2026-11-29 18:42:29,050 INFO pembiayaan.services Credit application 31 recorded",
        "IKM 9120000000101 imported",  # NIB, 13 digits
        "npwp 0817245631502000 checked",  # business NPWP, 16 digits starting with 0
        "Task kemitraan.tasks.demand_match_task[1b4e28ba-0812-4c9f-8d2e-0812345678ab] received",
        "Matching snapshot of 32 IKM built in 0.812345 s",
        # A duration with 16 decimals (Celery's task trace).
        "Task kemitraan.tasks.ikm_rescore_task[4e67] succeeded in 0.5123736709999775s: {}",
        "refresh took 0.08123456789 s",
        f"mail from {settings.DEFAULT_FROM_EMAIL}",
        "connecting to postgres://postgres@127.0.0.1:5432/kemitraan",
        "Akad 12 is now signed; plafon 24000000000",
        "celery@localhost ready",
    ]
    for line in ordinary:
        assert find_personal_data(line) == [], line


def test_a_line_logged_by_the_app_reaches_the_scanned_file_and_is_flagged():
    """The scan below reads the file the suite's logging writes: a leak logged through the
    normal configuration must show up there and be caught."""
    marker = f"{PROBE} {uuid.uuid4().hex}"
    logging.getLogger("kemitraan.leak").warning("%s: call 0812-3456-7890", marker)
    _flush_logging()
    lines = [
        line
        for path in _log_files()
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
        if marker in line
    ]
    assert len(lines) == 1
    assert find_personal_data(lines[0]) == [("phone", _mask("0812-3456-7890"))]


# --- The run's logs --------------------------------------------------------------------------


def test_the_suite_logged_no_personal_data():
    _flush_logging()
    problems = []
    for path in _log_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if PROBE in line:
                continue
            for kind, masked in find_personal_data(line):
                problems.append(f"{path.name}:{number}: {kind} {masked} ({_origin(line)})")
    assert not problems, "Personal data in the logs:\n" + "\n".join(problems[:50])
