import factory

from automation.models import Rule


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rule

    name = factory.Sequence(lambda n: f"قاعده {n}")
    order = factory.Sequence(lambda n: n * 10)
