"""import_framework and export_framework: every problem on stderr, files and formats, the current version."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from courses.competencies import csv_io
from courses.competencies.models import CompetencyFramework

from .conftest import FRAMEWORK_CSV, framework_row_counts


def run(*args) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(*args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


@pytest.mark.django_db
def test_import_framework_reads_the_default_csv_and_makes_it_current():
    stdout, _ = run("import_framework", str(FRAMEWORK_CSV), "--current")
    assert "を登録しました(領域 6、能力項目 24、習熟度レベル 5)" in stdout
    assert CompetencyFramework.objects.get().is_current
    again, _ = run("import_framework", str(FRAMEWORK_CSV))
    assert "何も変更していません" in again and CompetencyFramework.objects.count() == 1


@pytest.mark.django_db
def test_import_framework_reports_every_problem_on_stderr_and_imports_nothing(tmp_path):
    broken = tmp_path / "broken.csv"
    text = FRAMEWORK_CSV.read_text(encoding="utf-8")
    broken.write_text(
        text.replace("能力,A1,A,", "能力,A1,Q,").replace("能力,B1,B,", "能力,A2,B,"), encoding="utf-8"
    )
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_framework", str(broken), stderr=stderr)
    assert "broken.csv: 9行目「領域コード」: 領域コード Q の領域がありません。" in stderr.getvalue()
    assert "broken.csv: 14行目: コード A2 が重複しています(10行目)。" in stderr.getvalue()
    assert not CompetencyFramework.objects.exists()


@pytest.mark.django_db
def test_import_framework_refuses_a_missing_file():
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_framework", "/nonexistent/framework.csv")


def test_export_framework_writes_the_current_version_as_csv_to_stdout(framework):
    stdout, _ = run("export_framework")
    assert stdout == FRAMEWORK_CSV.read_text(encoding="utf-8")


def test_export_then_import_case_through_files(framework, tmp_path):
    target = tmp_path / "framework.json"
    run("export_framework", "--format", "case", "--version", "1.0", "-o", str(target))
    package = json.loads(target.read_text(encoding="utf-8"))
    assert package["CFDocument"]["title"] == "自治体DX人材 能力フレームワーク"
    framework.delete()
    before = framework_row_counts()
    stdout, _ = run("import_framework", str(target))  # .json: read as CASE
    assert "を登録しました" in stdout
    assert (
        framework_row_counts() != before
        and CompetencyFramework.objects.get().identifier == framework.identifier
    )


def test_import_framework_takes_the_format_option_over_the_extension(framework, tmp_path):
    target = tmp_path / "framework.txt"
    run("export_framework", "--format", "case", "-o", str(target))
    with pytest.raises(CommandError):
        call_command("import_framework", str(target), stderr=io.StringIO())  # .txt is read as CSV
    stdout, _ = run("import_framework", str(target), "--format", "case")
    assert "何も変更していません" in stdout


def test_export_framework_picks_a_version_and_reports_unknown_ones(framework):
    framework.is_current = False
    framework.save()
    with pytest.raises(CommandError, match="no current framework"):
        call_command("export_framework")
    stdout, _ = run("export_framework", "--title", framework.title, "--version", "1.0")
    data, problems = csv_io.parse(stdout.encode())
    assert problems == [] and data.version == "1.0"
    with pytest.raises(CommandError, match="No framework"):
        call_command("export_framework", "--title", framework.title, "--version", "9.9")
