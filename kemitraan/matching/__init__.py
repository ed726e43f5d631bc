"""Matchmaking: procurement needs against the IKM registry, ranked and explained.

- :mod:`.scoring` — the one definition of the score (filters, components, weights).
- :mod:`.text` and :mod:`.synonyms` — Indonesian text made comparable.
- :mod:`.records` — plain inputs; :mod:`.loading` reads them from the database.
- :mod:`.reference` — one pair at a time, plainly (the oracle, and the explanations).
- :mod:`.engine` — all suppliers against many needs at once (numpy/scipy, in blocks).
- :mod:`.explain` — reasons as codes, sentences in the reader's language, "why not?".
- :mod:`.run` — snapshot, storing suggestions under row locks, incremental rescoring.
- :mod:`.evaluation` and :mod:`.evaluation_set` — the labelled quality check.
"""

import os

# Parallelism comes from worker processes (Celery chunks), not BLAS threads: several
# processes each starting a thread per core would oversubscribe the machine. Must be set
# before numpy is first imported (the engine imports it).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
