"""Reading the demo curriculum (fixtures/demo/curriculum/*.toml) into page data. No database access."""

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

BLOCK_TYPES = {"heading", "text", "callout", "glossary", "check"}


@dataclass(frozen=True)
class LessonData:
    slug: str
    title: str
    summary: str
    estimated_minutes: int
    body: list[tuple[str, object]]


@dataclass(frozen=True)
class CourseData:
    slug: str
    title: str
    summary: str
    description: str
    audience: str
    delivery: str
    estimated_hours: Decimal
    prerequisites: list[str]
    competencies: list[tuple[str, int]]
    lessons: list[LessonData]
    # codes of the items of the demo's reference framework the course is aligned to (may be empty)
    aligned_to: list[str] = field(default_factory=list)


def _block(raw: dict) -> tuple[str, object]:
    kind = raw["type"]
    if kind == "heading":
        return "heading", raw["text"]
    if kind == "text":
        return "text", raw["html"]
    if kind == "callout":
        return "callout", {"kind": raw["kind"], "title": raw.get("title", ""), "body": raw["html"]}
    if kind == "glossary":
        return "glossary", {
            "term": raw["term"],
            "reading": raw.get("reading", ""),
            "definition": raw["definition"],
        }
    if kind == "check":
        return "self_check", {"question": raw["question"], "answer": raw["answer"]}
    raise ValueError(f"unknown block type {kind!r} (expected one of {sorted(BLOCK_TYPES)})")


def read_course(path: Path) -> CourseData:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    try:
        return CourseData(
            slug=data["slug"],
            title=data["title"],
            summary=data["summary"],
            description=data.get("description", ""),
            audience=data["audience"],
            delivery=data["delivery"],
            estimated_hours=Decimal(str(data["estimated_hours"])),
            prerequisites=list(data.get("prerequisites", [])),
            competencies=[(c["code"], int(c["level"])) for c in data["competencies"]],
            lessons=[
                LessonData(
                    slug=lesson["slug"],
                    title=lesson["title"],
                    summary=lesson.get("summary", ""),
                    estimated_minutes=int(lesson.get("estimated_minutes", 15)),
                    body=[_block(block) for block in lesson["blocks"]],
                )
                for lesson in data["lessons"]
            ],
            aligned_to=list(data.get("aligned_to", [])),
        )
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{path.name}: {exc}") from exc


def read_curriculum(folder: Path) -> list[CourseData]:
    return [read_course(path) for path in sorted(folder.glob("*.toml"))]
