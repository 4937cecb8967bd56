"""``manage.py add_municipality --code 6桁団体コード --name NAME --prefecture NAME [--kind KIND]
[--name-en NAME] [--population N] [--domain DOMAIN]``: the first step of onboarding a municipality.

The code is checked (check digit, prefecture number, 000 in digits 3–5 exactly for a prefecture; codes
starting with 99 are fictional and not checked), and so are a prefecture's name and whether the code or
the name is already registered; nothing is written unless everything is right. Then import its
departments and staff with ``--municipality CODE``. The messages are Japanese msgids (gettext).

Its images and documents get a collection of their own (ADR 0024): its people see and choose those,
their prefecture's and the shared ones, and change only their own.

``--domain`` also gives the municipality its own Wagtail Site on that host name: a home page titled with
its name, with its own curriculum index under which its editors write its own courses (issue 13, ADR
0024). Run again with the same code, name and prefecture and a ``--domain``, it only creates what is
missing of the site (or moves the site to the new host name).
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from lms_site.home.services import HOSTNAME, SiteProblem, municipality_site_ensure
from lms_site.organisation.jis import code_problems
from lms_site.organisation.media import municipality_collection_ensure
from lms_site.organisation.models import Municipality, MunicipalityKind
from lms_site.organisation.tenancy import platform_wide


class Command(BaseCommand):
    help = (
        "Register a municipality (or prefecture) by its 全国地方公共団体コード. The check digit and the "
        "prefecture number are checked, except for codes starting with 99 (this project's fictional "
        "demo codes, e.g. 999991 若葉市 in 架空県). Nothing is written if anything is wrong."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--code",
            required=True,
            help="6-digit code with its check digit, e.g. 011002 (99xxxx: fictional, not checked).",
        )
        parser.add_argument("--name", required=True, help="e.g. 札幌市")
        parser.add_argument(
            "--prefecture", required=True, help="e.g. 北海道; must match the code's first two digits."
        )
        parser.add_argument(
            "--kind",
            choices=[kind.value for kind in MunicipalityKind],
            default=MunicipalityKind.CITY,
            help="city (default), ward, town, village or prefecture (then --name is the prefecture's).",
        )
        parser.add_argument("--name-en", default="", help="e.g. Sapporo")
        parser.add_argument("--population", type=int, default=None)
        parser.add_argument(
            "--domain",
            default="",
            help="e.g. city.sapporo.jp: the municipality's host name, served by a Wagtail Site of its own "
            "(add it to DJANGO_ALLOWED_HOSTS).",
        )

    @platform_wide()  # a platform job: it reads every municipality's codes and names (ADR 0016)
    @transaction.atomic
    def handle(self, *args, code, name, prefecture, kind, name_en, population, domain, **options) -> None:
        is_prefecture = kind == MunicipalityKind.PREFECTURE
        problems = code_problems(code, prefecture=prefecture, is_prefecture=is_prefecture)
        if is_prefecture and name != prefecture:
            problems.append(
                _("都道府県の名称(「%(name)s」)は --prefecture(「%(prefecture)s」)と同じにしてください。")
                % {"name": name, "prefecture": prefecture}
            )
        existing = Municipality.objects.filter(code=code).first()
        # The same municipality again with a --domain: only its site is made (idempotent onboarding).
        again = (
            bool(domain)
            and existing is not None
            and (existing.name, existing.prefecture) == (name, prefecture)
        )
        if existing is not None and not again:
            problems.append(
                _("団体コード %(code)s はすでに登録されています(%(name)s)。")
                % {"code": code, "name": existing.name}
            )
        if not again and Municipality.objects.filter(prefecture=prefecture, name=name).exists():
            problems.append(
                _("%(prefecture)sの「%(name)s」はすでに登録されています。")
                % {"prefecture": prefecture, "name": name}
            )
        if population is not None and population < 0:
            problems.append(_("人口は0以上で指定してください。"))
        if domain:
            try:
                HOSTNAME(domain)
            except ValidationError as error:
                problems.extend(error.messages)
        if problems:
            raise CommandError("\n".join(problems))
        if again:
            municipality_collection_ensure(municipality=existing)
            self._site(existing, domain, again=True)
            return
        fields = {"name": name, "name_en": name_en, "prefecture": prefecture, "kind": kind, "domain": domain}
        if population is not None:
            fields["population"] = population
        municipality = Municipality.objects.create(code=code, **fields)
        self.stdout.write(
            _("登録しました: %(code)s %(name)s(%(kind)s)")
            % {"code": municipality.code, "name": municipality.name, "kind": municipality.get_kind_display()}
        )
        collection = municipality_collection_ensure(municipality=municipality)
        self.stdout.write(_("画像・資料のコレクション: %(name)s") % {"name": collection.name})
        if domain:
            self._site(municipality, domain, again=False)
        # A prefecture has its own departments and staff too (they sign in with its staff records).
        self.stdout.write(_("次に、組織と職員を取り込みます:"))
        self.stdout.write(f"  manage.py import_departments departments.csv --municipality {code}")
        self.stdout.write(
            f"  manage.py import_staff staff.csv --municipality {code} --effective-date YYYY-MM-DD"
        )

    def _site(self, municipality, domain: str, *, again: bool) -> None:
        """The municipality's own site on ``domain`` (a refusal rolls the whole command back)."""
        try:
            site = municipality_site_ensure(municipality=municipality, hostname=domain)
        except SiteProblem as problem:
            raise CommandError(str(problem)) from problem
        if municipality.domain != site.hostname:
            municipality.domain = site.hostname
            municipality.save(update_fields=["domain"])
        if again:
            self.stdout.write(
                _("%(name)s はすでに登録されています。サイトだけを確認しました。")
                % {"name": municipality.name}
            )
        self.stdout.write(
            _("サイト: http://%(hostname)s/ (ホームページ「%(title)s」。独自の研修コースはその下に)")
            % {"hostname": site.hostname, "title": site.root_page.title}
        )
