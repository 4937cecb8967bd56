"""Example questions about 自治体DX, one per type: workbench scenarios and the studio form's templates.

Every example is built with the grading dataclasses, so a broken example fails on import (and in the
tests), not in front of an author.
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from . import grading
from .i18n import N_

G = grading

EXAMPLES: dict[str, grading.Question] = {
    "single_choice": G.SingleChoice(
        name="標準化対象業務の数",
        text="地方公共団体情報システムの標準化で、標準準拠システムへの移行の対象とされている基幹業務は"
        "いくつですか。",
        explanation="住民記録、税、福祉など20の基幹業務が標準化の対象です。"
        "ガバメントクラウド上の標準準拠システムへの移行が進められています。",
        choices=[
            G.Choice(id="n17", text="17業務", feedback="標準化の議論の初期の数です。"),
            G.Choice(id="n20", text="20業務", fraction=1.0),
            G.Choice(id="n30", text="30業務"),
            G.Choice(id="n47", text="47業務", feedback="都道府県の数と混同していませんか。"),
        ],
    ),
    "multiple_response": G.MultipleResponse(
        name="書かない窓口",
        text="「書かない窓口」の実現に役立つ取組をすべて選んでください。",
        explanation="書かない窓口は、住民が申請書を手書きしなくて済むよう、既存の情報や職員の聞き取りで"
        "申請書を作成する取組です。",
        choices=[
            G.Choice(
                id="card",
                text="マイナンバーカードの情報を読み取って申請書に自動で記入する",
                fraction=0.5,
            ),
            G.Choice(id="hearing", text="職員が聞き取りながら端末で申請書を作成する", fraction=0.5),
            G.Choice(id="samples", text="申請書の記入例を窓口に増やして掲示する", fraction=-0.5),
            G.Choice(id="hours", text="窓口の受付時間を短縮する", fraction=-0.5),
        ],
    ),
    "true_false": G.TrueFalse(
        name="ガバメントクラウド",
        text="ガバメントクラウドは、国が調達したクラウドサービスを地方公共団体も利用できるようにした"
        "共通の基盤である。",
        correct_answer=True,
        explanation="ガバメントクラウドはデジタル庁が調達・管理し、国と地方公共団体が共通に利用します。",
        feedback_false="デジタル庁が調達したクラウドを、自治体も標準準拠システムの稼働に利用します。",
    ),
    "numeric": G.Numeric(
        name="オンライン申請件数",
        text="ある課の紙の申請は年間2,400件です。そのうち60%をオンライン申請に移行すると、"
        "オンライン申請は年間何件になりますか。数字で答えてください。",
        explanation="2,400 × 0.6 = 1,440件です。",
        answers=[G.NumericAnswer(value=1440, feedback="正確に計算できています。")],
        other_feedback="2,400に60%（0.6）を掛けて求めます。",
    ),
    "short_text": G.ShortText(
        name="デジタル手続法の原則",
        text="デジタル手続法の基本原則のうち、「一度提出した情報は、二度提出しなくてよい」という原則を"
        "何といいますか。カタカナで答えてください。",
        explanation="デジタルファースト、ワンスオンリー、コネクテッド・ワンストップの3原則があります。",
        answers=[
            G.TextAnswer(text="ワンスオンリー"),
            G.TextAnswer(text="ワンス・オンリー"),
            G.TextAnswer(text="once only"),
        ],
        kana_insensitive=True,
    ),
    "ordering": G.Ordering(
        name="BPRの進め方",
        text="業務改革（BPR）の一般的な進め方を、最初に行うものから順に並べてください。",
        explanation="まず現状を見える化し、課題を分析してから、改善策を試行し、効果を確かめて展開します。",
        items=[
            G.Item(id="visualise", text="現状業務の可視化（業務フローの作成）"),
            G.Item(id="analyse", text="課題の分析と改善案の検討"),
            G.Item(id="pilot", text="新しい業務プロセスの試行"),
            G.Item(id="rollout", text="効果検証と本格展開"),
        ],
    ),
    "matching": G.Matching(
        name="DX用語",
        text="用語と、その説明を組み合わせてください。",
        explanation="LGWANは行政専用ネットワーク、RPAは定型作業の自動化、オープンデータは二次利用できる"
        "公開データです。",
        pairs=[
            G.MatchPair(
                left=G.Item(id="lgwan", text="LGWAN"),
                right=G.Item(id="network", text="地方公共団体を相互に接続する行政専用のネットワーク"),
            ),
            G.MatchPair(
                left=G.Item(id="rpa", text="RPA"),
                right=G.Item(id="robot", text="パソコンでの定型的な操作をソフトウェアで自動化する仕組み"),
            ),
            G.MatchPair(
                left=G.Item(id="opendata", text="オープンデータ"),
                right=G.Item(
                    id="open", text="機械判読に適した形式で、二次利用できるルールで公開されたデータ"
                ),
            ),
        ],
        distractors=[G.Item(id="kiosk", text="住民票の写しなどを交付する庁舎内の端末")],
    ),
}

TYPE_LABELS: dict[str, str] = {
    "single_choice": N_("Single choice"),
    "multiple_response": N_("Multiple response"),
    "true_false": N_("True or false"),
    "numeric": N_("Numeric"),
    "short_text": N_("Short text"),
    "ordering": N_("Ordering"),
    "matching": N_("Matching"),
}

# The workbench derives ids from the ASCII part of a title, so each title carries a distinct "Qn".
SCENARIO_TITLES: dict[str, str] = {
    "single_choice": "自治体DX設問 Q1：単一選択（標準化）",
    "multiple_response": "自治体DX設問 Q2：複数選択（書かない窓口）",
    "true_false": "自治体DX設問 Q3：正誤（ガバメントクラウド）",
    "numeric": "自治体DX設問 Q4：数値（オンライン申請）",
    "short_text": "自治体DX設問 Q5：記述（デジタル手続法）",
    "ordering": "自治体DX設問 Q6：並べ替え（BPR）",
    "matching": "自治体DX設問 Q7：組み合わせ（DX用語）",
}

OPTION_NS = "http://code.edx.org/xblock/option"


def example_dicts() -> dict[str, dict[str, Any]]:
    """The examples as ``to_dict()`` definitions, by type."""
    return {key: question.to_dict() for key, question in EXAMPLES.items()}


def _json_element(name: str, value: Any) -> str:
    return f"<option:{name}>{escape(json.dumps(value, ensure_ascii=False, indent=2))}</option:{name}>"


def question_xml(key: str, **attributes: Any) -> str:
    """OLX of a ``dx_question`` with the example of type ``key``."""
    attrs = "".join(f" {name}={quoteattr(str(value))}" for name, value in attributes.items())
    definition = _json_element("definition", EXAMPLES[key].to_dict())
    return f'<dx_question xmlns:option="{OPTION_NS}"{attrs}>\n{definition}\n</dx_question>'


def question_scenarios() -> list[tuple[str, str]]:
    """One scenario per question type, plus one limited to two attempts."""
    scenarios = [
        (SCENARIO_TITLES[key], question_xml(key, display_name=EXAMPLES[key].name, weight=1))
        for key in EXAMPLES
    ]
    scenarios.append(
        (
            "自治体DX設問 Q8：回答は2回まで（単一選択）",
            question_xml("single_choice", display_name="標準化対象業務（2回まで）", max_attempts=2),
        )
    )
    return scenarios


def quiz_scenarios() -> list[tuple[str, str]]:
    """A quiz with one question of every type, passing at 70 %."""
    questions = _json_element("questions", list(example_dicts().values()))
    xml = (
        f'<dx_quiz xmlns:option="{OPTION_NS}" display_name="自治体DX 確認テスト" passing_percent="70"'
        f' max_attempts="3">\n{questions}\n</dx_quiz>'
    )
    return [("自治体DX 確認テスト Quiz（7問・合格70%）", xml)]
