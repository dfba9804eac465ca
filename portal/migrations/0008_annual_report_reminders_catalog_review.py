from django.db import migrations


def update(apps, schema_editor):
    """Every pack gains the annual report's reminder days and the center's catalog review
    time (until now constants of the annual report sweep and of catalog submission)."""
    from portal.rule_packs import shipped_packs_upgrade

    shipped_packs_upgrade(apps.get_model("portal", "RulePack"),
                          apps.get_model("portal", "RulePackVersion"),
                          new_rules=("assessment.annual_report_reminder_days",
                                     "catalog.review"))


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0007_region_geometry"),
    ]

    operations = [
        migrations.RunPython(update, migrations.RunPython.noop),
    ]
