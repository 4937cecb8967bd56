"""Where each person goes next from the home page: every app above lms_site adds its own steps.

An app registers ``@hooks.register("home_next_steps")`` with ``fn(request) -> list[NextStep]``; the home page
shows the steps of every app, in ``order``. lms_site cannot import the apps (they depend on it), so the
catalogue, the learner's course in progress, the reports and the review queues come from their own apps.
"""

from dataclasses import dataclass

from wagtail import hooks


@dataclass(frozen=True)
class NextStep:
    title: str
    url: str
    description: str = ""
    order: int = 50  # smaller first: the person's own learning, then the catalogue, then work for others


def next_steps(request) -> list[NextStep]:
    steps: list[NextStep] = []
    for provider in hooks.get_hooks("home_next_steps"):
        steps.extend(provider(request))
    return sorted(steps, key=lambda step: step.order)
