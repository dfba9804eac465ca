from django.db import migrations


def seed(apps, schema_editor):
    """The shipped packs (portal.rule_packs), each saved as its version 1."""
    from portal.rule_packs import SHIPPED

    pack_model = apps.get_model("portal", "RulePack")
    version_model = apps.get_model("portal", "RulePackVersion")
    for data in SHIPPED:
        if pack_model.objects.filter(code=data["code"]).exists():
            continue
        pack = pack_model.objects.create(version=1, **data)
        version_model.objects.create(pack=pack, version=1, rules=pack.rules, source=pack.source)


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0003_rule_packs"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
