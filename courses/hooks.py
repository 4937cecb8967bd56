"""Extension points of /me/ for the apps above courses, which courses may not import; Wagtail hooks
under the names below, registered by the apps in their ``ready()`` (ADR 0027).

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
* ``me_sources_register(fn)``: ``fn(user_id) -> [QuerySet, …]``, the rows the app's part of /me/ is
  made from: the person's own (filtered by ``user_id`` only) and small shared tables (whole, through
  ``_base_manager``: a superset is safe). /me/'s content is cached until any of these rows changes
  (``courses.learner_cache``): an app that adds a section or a provider above must name every table it
  reads, or its part shows stale.
"""

from collections.abc import Callable, Iterable, Iterator

from wagtail import hooks

LevelsProvider = Callable[[object, object], dict[str, int]]
RequirementsProvider = Callable[[object, object], dict[str, int] | None]
MeSection = Callable[[object], tuple[str, dict] | None]

# The Wagtail hook names behind the functions below (one extension mechanism, ADR 0027).
LEVELS_PROVIDER = "me_levels_provider"
REQUIREMENTS_PROVIDER = "me_requirements_provider"
ME_SECTION = "me_section"
ME_FIRST_SECTION = "me_first_section"
ME_SOURCES = "me_sources"


def levels_provider_register(provider: LevelsProvider) -> None:
    hooks.register(LEVELS_PROVIDER, provider)


def requirements_provider_register(provider: RequirementsProvider) -> None:
    hooks.register(REQUIREMENTS_PROVIDER, provider)


def me_section_register(section: MeSection, *, first: bool = False) -> None:
    hooks.register(ME_FIRST_SECTION if first else ME_SECTION, section)


def me_sources_register(sources: Callable[[int], Iterable]) -> None:
    hooks.register(ME_SOURCES, sources)


def me_sources(user_id: int) -> Iterator:
    """Every registered app's sources of /me/ for the user ``user_id`` (querysets)."""
    for sources in hooks.get_hooks(ME_SOURCES):
        yield from sources(user_id)


def levels_provided(user, framework) -> dict[str, int] | None:
    """The levels of the last registered provider, or None when no app provides them."""
    providers = hooks.get_hooks(LEVELS_PROVIDER)
    return providers[-1](user, framework) if providers else None


def requirements_provided(framework, user=None) -> dict[str, int] | None:
    """The requirements of the last registered provider for ``user``, or None when no app provides them."""
    providers = hooks.get_hooks(REQUIREMENTS_PROVIDER)
    return providers[-1](framework, user) if providers else None


def me_sections(request, *, first: bool = False) -> list[dict]:
    sections = []
    for section in hooks.get_hooks(ME_FIRST_SECTION if first else ME_SECTION):
        found = section(request)
        if found is not None:
            template, context = found
            sections.append({"template": template, "context": context})
    return sections
