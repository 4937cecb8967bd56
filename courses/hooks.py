"""Extension points of /me/ for the apps above courses, which courses may not import.

* ``levels_provider_register(fn)``: ``fn(user, framework) -> {competency code: level}``, the person's
  current levels. The certification app registers its level table; without one, /me/ falls back to the
  interim course-based estimate of ``courses.profile``.
* ``requirements_provider_register(fn)``: ``fn(framework, user) -> {competency code: required level} |
  None``, the level each competency of ``framework`` needs for DX推進リーダー (0: none) in the programme
  that holds for ``user``. The certification app registers the programme HR edits; without one (or when
  it returns None, e.g. no such programme), /me/ falls back to the hard-coded draft defaults of
  ``courses.profile.leader_requirements``.
* ``me_section_register(fn, first=False)``: ``fn(request) -> (template name, context) | None``, a section
  appended to /me/ (the certification app adds the path to certification), or with ``first`` put before
  everything else (the training app's 「やること」).
"""

from collections.abc import Callable

LevelsProvider = Callable[[object, object], dict[str, int]]
RequirementsProvider = Callable[[object, object], dict[str, int] | None]
MeSection = Callable[[object], tuple[str, dict] | None]

_levels_providers: list[LevelsProvider] = []
_requirements_providers: list[RequirementsProvider] = []
_me_sections: list[MeSection] = []
_me_first_sections: list[MeSection] = []


def levels_provider_register(provider: LevelsProvider) -> None:
    if provider not in _levels_providers:
        _levels_providers.append(provider)


def requirements_provider_register(provider: RequirementsProvider) -> None:
    if provider not in _requirements_providers:
        _requirements_providers.append(provider)


def me_section_register(section: MeSection, *, first: bool = False) -> None:
    sections = _me_first_sections if first else _me_sections
    if section not in sections:
        sections.append(section)


def levels_provided(user, framework) -> dict[str, int] | None:
    """The levels of the last registered provider, or None when no app provides them."""
    return _levels_providers[-1](user, framework) if _levels_providers else None


def requirements_provided(framework, user=None) -> dict[str, int] | None:
    """The requirements of the last registered provider for ``user``, or None when no app provides them."""
    return _requirements_providers[-1](framework, user) if _requirements_providers else None


def me_sections(request, *, first: bool = False) -> list[dict]:
    sections = []
    for section in _me_first_sections if first else _me_sections:
        found = section(request)
        if found is not None:
            template, context = found
            sections.append({"template": template, "context": context})
    return sections
