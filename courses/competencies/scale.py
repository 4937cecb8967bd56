"""The proficiency scale every competency level is on, and the cap on knowledge evidence. Pure: no Django.

The one place these numbers live. Model fields and check constraints take them through
``courses.competencies.scale_fields``; the level rule (``assessments.certification.levels``), /me/'s
interim estimate (``courses.profile``), the reports and the import files take them from here. The names
of the steps (知る・使う・実践する・牽引する・変革する) are data of each framework (``ProficiencyLevel``).

* ``LEVEL_MIN`` .. ``LEVEL_MAX``: the scale; ``LEVELS``: every step on it, lowest first.
* ``KNOWLEDGE_LEVEL_CAP``: the highest level a knowledge source supports (a passed quiz, a completed course
  whatever its delivery): tests and e-learning show knowing and using (Lv1–2); practice (Lv3 and above)
  needs practice evidence (OJT records, an adviser's assessment, a qualification).
"""

LEVEL_MIN = 1
LEVEL_MAX = 5
LEVELS = range(LEVEL_MIN, LEVEL_MAX + 1)
KNOWLEDGE_LEVEL_CAP = 2


def is_level(value: int) -> bool:
    """Whether ``value`` is a step on the scale."""
    return LEVEL_MIN <= value <= LEVEL_MAX
