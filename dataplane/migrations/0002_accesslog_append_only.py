"""The access log refuses changes in the database itself (S10).

UPDATE is refused on every backend; on PostgreSQL DELETE is refused too (SQLite's test
flush deletes rows, PostgreSQL's truncates). Anyone able to drop the trigger can still
tamper, which is what the hash chain and ``manage.py accesslog verify`` detect.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER dataplane_accesslog_no_update BEFORE UPDATE ON dataplane_accesslogentry
       BEGIN SELECT RAISE(ABORT, 'dataplane access log is append-only'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS dataplane_accesslog_no_update;"]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION dataplane_accesslog_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'dataplane access log is append-only'; END $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER dataplane_accesslog_no_change BEFORE UPDATE OR DELETE
       ON dataplane_accesslogentry FOR EACH ROW
       EXECUTE FUNCTION dataplane_accesslog_append_only();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS dataplane_accesslog_no_change ON dataplane_accesslogentry;",
    "DROP FUNCTION IF EXISTS dataplane_accesslog_append_only();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):

    dependencies = [("dataplane", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        ),
    ]
