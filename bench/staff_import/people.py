"""Deterministic staff files for the staff import benchmark: one municipality's people, and a year later.

Names are common Japanese family and given names with their katakana readings; posts, 職種 and hire
years are spread as in a city hall; departments are the 部 → 課 → 係 tree of ``fixtures.synthetic``
(read from it, not changed). Everything is derived from the person's index, so the second file and the
COPY rows are the same people without keeping them in memory.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fixtures.synthetic import BU, KAKARI

SEED = 20250401
HEADER = "職員番号,姓,名,姓カナ,名カナ,所属コード,役職,職種,採用年度,メールアドレス\n"
FAMILY = [
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"),
    ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"),
    ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"),
    ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"),
    ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
    ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"),
    ("阿部", "アベ"), ("石川", "イシカワ"), ("山下", "ヤマシタ"), ("中島", "ナカジマ"),
    ("石井", "イシイ"), ("小川", "オガワ"), ("前田", "マエダ"), ("岡田", "オカダ"),
    ("長谷川", "ハセガワ"), ("藤田", "フジタ"), ("後藤", "ゴトウ"), ("近藤", "コンドウ"),
    ("村上", "ムラカミ"), ("遠藤", "エンドウ"), ("青木", "アオキ"), ("坂本", "サカモト"),
    ("髙橋", "タカハシ"), ("齋藤", "サイトウ"), ("渡邉", "ワタナベ"), ("西村", "ニシムラ"),
    ("福田", "フクダ"),
]  # fmt: skip
GIVEN = [
    ("翔太", "ショウタ"), ("美咲", "ミサキ"), ("大輔", "ダイスケ"), ("陽子", "ヨウコ"), ("健一", "ケンイチ"),
    ("さくら", "サクラ"), ("直樹", "ナオキ"), ("由美", "ユミ"), ("拓也", "タクヤ"), ("恵", "メグミ"),
    ("誠", "マコト"), ("彩", "アヤ"), ("蓮", "レン"), ("陽菜", "ヒナ"), ("悠真", "ユウマ"),
    ("結衣", "ユイ"), ("大翔", "ヒロト"), ("葵", "アオイ"), ("隆", "タカシ"), ("裕子", "ユウコ"),
    ("浩二", "コウジ"), ("真由美", "マユミ"), ("和也", "カズヤ"), ("智子", "トモコ"), ("亮", "リョウ"),
    ("千尋", "チヒロ"), ("修", "オサム"), ("香織", "カオリ"), ("剛", "ツヨシ"), ("明美", "アケミ"),
]  # fmt: skip
GRADES = (
    [("主事", "shuji")] * 8
    + [("主任", "shunin")] * 5
    + [("主査", "shusa")] * 2
    + [("係長", "kakaricho")] * 3
    + [("課長補佐", "kacho_hosa"), ("技師", "gishi"), ("保健師", "hokenshi")]
)
CATEGORIES = (
    [("一般行政", "gyosei")] * 12
    + [("技術", "gijutsu")] * 3
    + [
        ("保健福祉", "hoken_fukushi"),
        ("教育", "kyoiku"),
        ("技能労務", "gino_romu"),
    ]
)
TRANSFER_EVERY, LEAVER_EVERY, NEW_PER_THOUSAND = 250, 333, 3  # 0.4 %, 0.3 %, 0.3 %


@dataclass(frozen=True)
class Person:
    number: str
    family: str
    given: str
    family_kana: str
    given_kana: str
    department: str
    grade_label: str
    grade: str
    category_label: str
    category: str
    hire_year: int
    email: str

    def csv_line(self, *, department: str | None = None) -> str:
        return (
            f"{self.number},{self.family},{self.given},{self.family_kana},{self.given_kana},"
            f"{department or self.department},{self.grade_label},{self.category_label},{self.hire_year},"
            f"{self.email}\n"
        )


def department_rows() -> list[tuple[str, str, str, str]]:
    """(code, parent code, kind label, name) of the 部 → 課 → 係 tree: 16 部, 45 課, 135 係."""
    rows = []
    for b, (bu, kas) in enumerate(BU, start=1):
        bu_code = f"{b:02d}0000"
        rows.append((bu_code, "", "部", f"{bu}部"))
        for k, ka in enumerate(kas, start=1):
            ka_code = f"{b:02d}{k:02d}00"
            rows.append((ka_code, bu_code, "課", f"{ka}課"))
            for j, kakari in enumerate(KAKARI, start=1):
                rows.append((f"{b:02d}{k:02d}{j:02d}", ka_code, "係", kakari))
    return rows


def person(index: int, *, codes: list[str]) -> Person:
    rng = random.Random(SEED * 1_000_003 + index)
    family, family_kana = rng.choice(FAMILY)
    given, given_kana = rng.choice(GIVEN)
    grade_label, grade = rng.choice(GRADES)
    category_label, category = rng.choice(CATEGORIES)
    number = f"{1_000_000 + index}"
    return Person(
        number=number,
        family=family,
        given=given,
        family_kana=family_kana,
        given_kana=given_kana,
        department=rng.choice(codes),
        grade_label=grade_label,
        grade=grade,
        category_label=category_label,
        category=category,
        hire_year=rng.randint(1985, 2025),
        email="" if index % 20 == 7 else f"staff{number}@bench-city.example.lg.jp",
    )


def first_file_people(staff: int, *, codes: list[str]) -> Iterator[Person]:
    for index in range(staff):
        yield person(index, codes=codes)


def files_write(staff: int, *, codes: list[str], first: Path, second: Path) -> dict[str, int]:
    """Write the first file and the second (a year later: transfers, leavers, new people); return the
    outcome counts the second import must report."""
    counts = {"created": 0, "updated": 0, "moved": 0, "unchanged": 0, "retired": 0}
    with first.open("w", encoding="utf-8") as one, second.open("w", encoding="utf-8") as two:
        one.write(HEADER)
        two.write(HEADER)
        for index in range(staff):
            someone = person(index, codes=codes)
            one.write(someone.csv_line())
            if index % LEAVER_EVERY == LEAVER_EVERY - 1:
                counts["retired"] += 1
                continue
            if index % TRANSFER_EVERY == TRANSFER_EVERY - 1:
                moved_to = codes[(codes.index(someone.department) + 1) % len(codes)]
                two.write(someone.csv_line(department=moved_to))
                counts["moved"] += 1
                continue
            two.write(someone.csv_line())
            counts["unchanged"] += 1
        for index in range(staff, staff + staff * NEW_PER_THOUSAND // 1000):
            two.write(person(index, codes=codes).csv_line())
            counts["created"] += 1
    return counts
