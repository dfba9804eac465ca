from django.db import migrations

from portal.rule_packs import SHIPPED

# The rules this migration introduces (a pack saved before it has none of them).
NEW_RULES = ("sharing.supply", "sharing.return_flow", "catalog.recollection")
NEW_OPTIONS = {
    "sharing.prereview": ("by",),
    "sharing.answer_extension": ("consent", "notify_applicant"),
}


def update(apps, schema_editor):
    """Bring every pack to the current rule set as a new version (open steps keep the
    version that timed them): a shipped pack never edited in the admin takes the shipped
    rules whole; an edited pack or a copy keeps its values and gains only the new rules and
    options (from the shipped pack it is, or was copied from, else the default). The two
    example packs (guizhou-2020, shanxi-2020) are added."""
    pack_model = apps.get_model("portal", "RulePack")
    version_model = apps.get_model("portal", "RulePackVersion")
    shipped = {data["code"]: data for data in SHIPPED}
    default_rules = next(d["rules"] for d in SHIPPED if d["is_default"])
    for pack in pack_model.objects.order_by("pk"):
        current = version_model.objects.filter(pack=pack).order_by("-version").first()
        data = shipped.get(pack.code)
        untouched = (data is not None and current is not None and current.version == 1
                     and current.saved_by_id is None)
        if untouched:
            rules = data["rules"]
        else:
            origin = data or shipped.get(getattr(pack.copied_from, "code", None))
            base = origin["rules"] if origin else default_rules
            rules = dict(pack.rules)
            for key in NEW_RULES:
                rules.setdefault(key, base[key])
            for key, names in NEW_OPTIONS.items():
                entry = dict(rules[key])
                for name in names:
                    entry.setdefault(name, base[key].get(name))
                rules[key] = entry
        if rules == pack.rules:
            continue
        pack.rules = rules
        pack.version += 1
        pack.save(update_fields=["rules", "version"])
        version_model.objects.create(pack=pack, version=pack.version, rules=rules,
                                     source=pack.source)
    for data in SHIPPED:
        if not pack_model.objects.filter(code=data["code"]).exists():
            pack = pack_model.objects.create(version=1, **data)
            version_model.objects.create(pack=pack, version=1, rules=pack.rules,
                                         source=pack.source)


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0005_inbox_due_rule"),
    ]

    operations = [
        migrations.RunPython(update, migrations.RunPython.noop),
    ]
