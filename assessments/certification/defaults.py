"""The default certification programmes, from the draft rules (``certification_rules_draft.md``). Pure data.

HR edits the programmes in the admin afterwards; loading the defaults never overwrites an existing
programme. Names and descriptions are stored data (in Japanese, the default language), not UI strings.
Where the draft is silent (DXベーシック's validity, DXエキスパート's renewal) the choice is noted inline.
"""

from dataclasses import dataclass

LEADER_CORE = ("A2", "A4", "B1", "B2", "C1", "D1", "E1", "F1")
RENEWAL_TEXT = "年間おおむね15時間の学習と、業務改善の事例1件の報告"


@dataclass(frozen=True)
class ProgramDefault:
    code: str
    name: str
    description: str
    sort_order: int
    competencies: tuple[tuple[str, int], ...] = ()
    breadth_min_level: int | None = None
    specialism_min_level: int | None = None
    requires_exam: bool = False
    exam_pass_percent: int = 70
    requires_capstone: bool = False
    requires_cross_project: bool = False
    requires_endorsement: bool = False
    prerequisite: str | None = None
    validity_years: int | None = None
    renewal_hours_per_year: int | None = None
    renewal_requirement: str = ""


BASIC = ProgramDefault(
    code="DX_BASIC",
    name="DXベーシック",
    description="全職員(一般行政職員)向け。DXの背景、デジタル倫理、データ、AI、情報セキュリティの基礎を"
    "自分の業務で使えることを示します。",
    sort_order=1,
    competencies=tuple((code, 2) for code in ("A1", "A4", "C1", "D1", "E1")),
    # The draft sets no validity for the basic tier: it does not expire.
)

LEADER = ProgramDefault(
    code="DX_LEADER",
    name="DX推進リーダー",
    description="各課に1人以上。所属の業務改善を自ら企画・実行し、効果を測って報告できる職員を認定します。",
    sort_order=2,
    competencies=tuple((code, 3) for code in LEADER_CORE),
    breadth_min_level=2,
    specialism_min_level=3,
    requires_exam=True,
    exam_pass_percent=70,
    requires_capstone=True,
    requires_endorsement=True,
    validity_years=3,
    renewal_hours_per_year=15,
    renewal_requirement=RENEWAL_TEXT,
)

EXPERT = ProgramDefault(
    code="DX_EXPERT",
    name="DXエキスパート",
    description="情報システム担当や幹部職員向け。1つの領域で複数の課にまたがる取組を牽引できる職員を認定します。",
    sort_order=3,
    specialism_min_level=4,
    requires_cross_project=True,
    prerequisite="DX_LEADER",
    # The draft is silent on the expert tier's validity and renewal: the leader's are assumed.
    validity_years=3,
    renewal_hours_per_year=15,
    renewal_requirement=RENEWAL_TEXT,
)

PROGRAMS = (BASIC, LEADER, EXPERT)

# The capstone rubric (draft item 5: a real BPR/DX project with a measured outcome and an inclusion check),
# each criterion scored 1–4 by the advisor; approval needs every criterion at its minimum (2, 3 for the
# measured effect, which the draft makes the heart of the capstone). For programmes with a capstone or a
# cross-課 project.
RUBRIC = (
    ("課題の設定", "住民や職員にとっての課題を、根拠(件数・時間・声)を示して定めている。", 2),
    ("業務の見直しとデジタル活用", "手順そのものを見直し、目的に合ったデジタル技術を選んで使っている。", 2),
    ("効果の測定", "実施前後を同じ方法で測り、削減時間やオンライン化した手続の数などで効果を示している。", 3),
    ("誰一人取り残さない配慮", "デジタルに不慣れな人や障害のある人などへの配慮を計画し、確かめている。", 2),
    ("定着と展開", "担当者が替わっても続く仕組みにし、他の課でも使える形で記録している。", 2),
)
