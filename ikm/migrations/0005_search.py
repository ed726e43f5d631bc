"""Directory search on PostgreSQL: extensions, the trigger keeping ``IKM.search_vector``, indexes.

Hand-written and vendor-conditional: on SQLite (``make run`` without DATABASE_URL) it does
nothing, and ``ikm.search`` falls back to substring matching.

- ``pg_trgm`` (trigram similarity: typos in names) and ``unaccent``.
- ``ikm_search_vector(name, products, materials)``: the weighted ``indonesian`` tsvector,
  name A, products B, materials C, accents removed. A BEFORE INSERT OR UPDATE OF name,
  products, materials trigger stores it in ``search_vector``; existing rows are backfilled.
- ``ikm_search_matches_any(tsquery)``: whether any IKM matches (the search's typo check).
- Indexes the models do not declare (so ``makemigrations`` sees no change): GIN on
  ``search_vector``, GIN trigram on ``name``, and a B-tree on ``(name, id)`` for the
  directory's default order.

The reverse drops the trigger, the function and the indexes and empties ``search_vector``.
It keeps the two extensions: they are database-wide and other objects may use them.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    CREATE OR REPLACE FUNCTION ikm_search_vector(name text, products text, materials text)
    RETURNS tsvector LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT setweight(to_tsvector('indonesian', unaccent(coalesce(name, ''))), 'A')
            || setweight(to_tsvector('indonesian', unaccent(coalesce(products, ''))), 'B')
            || setweight(to_tsvector('indonesian', unaccent(coalesce(materials, ''))), 'C')
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION ikm_search_vector_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := ikm_search_vector(NEW.name, NEW.products, NEW.materials);
        RETURN NEW;
    END
    $$
    """,
    # Does any IKM match this tsquery? For the search's typo check (ikm.search.indexed).
    # The planner would read the whole table for an EXISTS it expects to end early (a
    # misspelt word matches nothing): inside this function it must use the GIN index.
    """
    CREATE OR REPLACE FUNCTION ikm_search_matches_any(query tsquery) RETURNS boolean
    LANGUAGE sql STABLE SET enable_seqscan = off AS $$
        SELECT EXISTS (SELECT 1 FROM ikm_ikm WHERE search_vector @@ query)
    $$
    """,
    "DROP TRIGGER IF EXISTS ikm_search_vector_update ON ikm_ikm",
    """
    CREATE TRIGGER ikm_search_vector_update
    BEFORE INSERT OR UPDATE OF name, products, materials ON ikm_ikm
    FOR EACH ROW EXECUTE FUNCTION ikm_search_vector_trigger()
    """,
    "UPDATE ikm_ikm SET search_vector = ikm_search_vector(name, products, materials)",
    "CREATE INDEX IF NOT EXISTS ikm_search_vector_gin ON ikm_ikm USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS ikm_name_trgm_gin ON ikm_ikm USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ikm_name_id_idx ON ikm_ikm (name, id)",
    "ANALYZE ikm_ikm",
]

REVERSE = [
    "DROP INDEX IF EXISTS ikm_name_id_idx",
    "DROP INDEX IF EXISTS ikm_name_trgm_gin",
    "DROP INDEX IF EXISTS ikm_search_vector_gin",
    "DROP TRIGGER IF EXISTS ikm_search_vector_update ON ikm_ikm",
    "DROP FUNCTION IF EXISTS ikm_search_vector_trigger()",
    "DROP FUNCTION IF EXISTS ikm_search_vector(text, text, text)",
    "DROP FUNCTION IF EXISTS ikm_search_matches_any(tsquery)",
    "UPDATE ikm_ikm SET search_vector = NULL",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("ikm", "0004_registry_search_imports_reveals")]

    operations = [migrations.RunPython(_run(FORWARD), _run(REVERSE))]
