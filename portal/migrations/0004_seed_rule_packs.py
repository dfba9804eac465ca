from django.db import migrations


def seed(apps, schema_editor):
    """The shipped packs (portal.rule_packs), each saved as its version 1."""
    from portal.rule_packs import shipped_packs_seed

    shipped_packs_seed(apps.get_model("portal", "RulePack"),
                       apps.get_model("portal", "RulePackVersion"))


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0003_rule_packs"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
