"""The access log's keyed chain (key id per entry), and DELETE refused on every backend.

SQLite gets the DELETE trigger PostgreSQL had (it allows the test database's flush only,
through ``dataplane_accesslog_maintenance()``, a function the portal registers on its own
connections: elsewhere the function does not exist and the DELETE fails); PostgreSQL also
refuses TRUNCATE unless ``portal.accesslog_maintenance`` is on for the session.
"""

from django.db import migrations, models

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS dataplane_accesslog_no_update BEFORE UPDATE
       ON dataplane_accesslogentry
       BEGIN SELECT RAISE(ABORT, 'dataplane access log is append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS dataplane_accesslog_no_delete BEFORE DELETE
       ON dataplane_accesslogentry WHEN NOT dataplane_accesslog_maintenance()
       BEGIN SELECT RAISE(ABORT, 'dataplane access log is append-only'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS dataplane_accesslog_no_delete;"]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION dataplane_accesslog_no_truncate() RETURNS trigger AS $$
       BEGIN
         IF current_setting('portal.accesslog_maintenance', true) = 'on' THEN RETURN NULL; END IF;
         RAISE EXCEPTION 'dataplane access log is append-only';
       END $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER dataplane_accesslog_no_truncate BEFORE TRUNCATE
       ON dataplane_accesslogentry FOR EACH STATEMENT
       EXECUTE FUNCTION dataplane_accesslog_no_truncate();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS dataplane_accesslog_no_truncate ON dataplane_accesslogentry;",
    "DROP FUNCTION IF EXISTS dataplane_accesslog_no_truncate();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("dataplane", "0004_version_lease"),
    ]

    operations = [
        migrations.AddField(
            model_name="accesslogentry",
            name="key_id",
            field=models.CharField(blank=True, db_default="", default="", editable=False, help_text="Id of the HMAC key of the hash; empty: unkeyed SHA-256 of an entry from before the key.", max_length=16),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        ),
    ]
