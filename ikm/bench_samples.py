"""The directory searches that the benchmarks send: varied words (a typo and word stems
among them) and pairs of filters, as officers use the directory.

Shared by ``manage.py bench_directory`` and the load test (``loadtest/locustfile.py``), which
imports it without setting Django up: keep this module free of Django imports.
"""

SEARCHES = [
    "bubut",
    "pengelasan",
    "komponen",
    "cetakan",
    "pengecoran",
    "presesi",
    "aluminium",
    "karet",
    "kabel",
    "jok sepeda motor",
    "plat baja",
    "karoseri",
    "mencetak",
    "pemesinan",
    "alumin",
]
FILTER_PAIRS = [
    {"province": "32", "process": "stamping"},
    {"province": "35", "certification": "ISO9001"},
    {"size_class": "kecil", "min_tkdn": "40"},
    {"regency": "32.16", "verification_status": "verified"},
    {"kbli": "29300", "min_capacity": "1000"},
    {"province": "33", "size_class": "menengah"},
    {"process": "pemesinan", "certification": "ISO9001"},
    {"province": "36", "min_tkdn": "30"},
]
