"""factory_boy factories for the platform core; other apps build on these."""

import factory

from portal.models import Department, Region, User
from portal.services.organisation import user_roles_set
from portal.validators import uscc_check_digit


def valid_uscc(n: int) -> str:
    first17 = f"11460000MA{n:07d}"
    return first17 + uscc_check_digit(first17)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "460000"
    name = "海南省"
    level = Region.Level.PROVINCE


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试厅局{n}")
    short_name = factory.Sequence(lambda n: f"测试{n}")
    uscc = factory.Sequence(valid_uscc)
    region = factory.SubFactory(RegionFactory)
    kind = Department.Kind.GOVERNMENT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov.cn")
    last_name = "张"
    first_name = factory.Sequence(lambda n: f"三{n}")
    department = None
    password = factory.PostGenerationMethodCall("set_password", "Str0ng!Passw0rd")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.save()
        if extracted:
            user_roles_set(user=self, roles=extracted)
