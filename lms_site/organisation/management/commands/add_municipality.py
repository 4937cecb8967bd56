"""``manage.py add_municipality --code 6桁団体コード --name NAME --prefecture NAME [--kind KIND]
[--name-en NAME] [--population N] [--domain DOMAIN]``: the first step of onboarding a municipality.

The code is checked (check digit, prefecture number; codes starting with 99 are fictional and not
checked); nothing is written unless everything is right. Then import its departments and staff with
``--municipality CODE``.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lms_site.organisation.jis import code_problems
from lms_site.organisation.models import Municipality, MunicipalityKind
from lms_site.organisation.tenancy import platform_wide


class Command(BaseCommand):
    help = "Register a municipality (or prefecture) by its 全国地方公共団体コード, checked."

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="6-digit code with its check digit, e.g. 011002")
        parser.add_argument("--name", required=True, help="e.g. 札幌市")
        parser.add_argument("--prefecture", required=True, help="e.g. 北海道")
        parser.add_argument(
            "--kind", choices=[k.value for k in MunicipalityKind], default=MunicipalityKind.CITY
        )
        parser.add_argument("--name-en", default="")
        parser.add_argument("--population", type=int, default=None)
        parser.add_argument("--domain", default="", help="e.g. city.sapporo.jp")

    @platform_wide()
    @transaction.atomic
    def handle(self, *args, code, name, prefecture, kind, name_en, population, domain, **options):
        is_prefecture = kind == MunicipalityKind.PREFECTURE
        problems = code_problems(code, prefecture=prefecture, is_prefecture=is_prefecture)
        if is_prefecture and name != prefecture:
            problems.append(
                f"都道府県の名称(「{name}」)は --prefecture(「{prefecture}」)と同じにしてください。"
            )
        existing = Municipality.objects.filter(code=code).first()
        if existing is not None:
            problems.append(f"団体コード {code} はすでに登録されています({existing.name})。")
        if Municipality.objects.filter(prefecture=prefecture, name=name).exists():
            problems.append(f"{prefecture}の「{name}」はすでに登録されています。")
        if population is not None and population < 0:
            problems.append("人口は0以上で指定してください。")
        if problems:
            raise CommandError("\n".join(problems))
        fields = {"name": name, "name_en": name_en, "prefecture": prefecture, "kind": kind, "domain": domain}
        if population is not None:
            fields["population"] = population
        municipality = Municipality.objects.create(code=code, **fields)
        self.stdout.write(
            f"登録しました: {municipality.code} {municipality.name}({municipality.get_kind_display()})"
        )
        if not is_prefecture:
            self.stdout.write("次に、組織と職員を取り込みます:")
            self.stdout.write(f"  manage.py import_departments departments.csv --municipality {code}")
            self.stdout.write(
                f"  manage.py import_staff staff.csv --municipality {code} --effective-date YYYY-MM-DD"
            )
