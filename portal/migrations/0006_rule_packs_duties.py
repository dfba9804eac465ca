from django.db import migrations

# The rules this migration introduces (a pack saved before it has none of them).
NEW_RULES = ("sharing.supply", "sharing.return_flow", "catalog.recollection")
NEW_OPTIONS = {
    "sharing.prereview": ("by",),
    "sharing.answer_extension": ("consent", "notify_applicant"),
}


def update(apps, schema_editor):
    """Every pack gains the 条例's duties (portal.rule_packs.shipped_packs_upgrade); the
    two example packs (guizhou-2020, shanxi-2020) are added."""
    from portal.rule_packs import shipped_packs_upgrade

    shipped_packs_upgrade(apps.get_model("portal", "RulePack"),
                          apps.get_model("portal", "RulePackVersion"),
                          new_rules=NEW_RULES, new_options=NEW_OPTIONS)


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0005_inbox_due_rule"),
    ]

    operations = [
        migrations.RunPython(update, migrations.RunPython.noop),
    ]
