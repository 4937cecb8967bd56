"""Training's notifications: reminders 7, 3 and 1 days before a due date and once when it has passed,
to the person; a weekly summary to each 所属長 of their team (issue 15). Registered with the morning job
of ``lms_site.notifications``; each municipality is read in its own scope."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms_site.notifications.models import Kind
from lms_site.notifications.services import is_first_working_day_of_week, is_working_day, notify
from lms_site.organisation.api import (
    ROLES,
    Assignment,
    Municipality,
    Purpose,
    Role,
    municipality_scope,
    scope_for,
)

from . import selectors
from .models import TrainingDue
from .selectors import Status

THRESHOLDS = (1, 3, 7)  # days before the due date


def training_notifications(today: datetime.date) -> int:
    created = 0
    for municipality_id in Municipality.objects.values_list("pk", flat=True):
        with municipality_scope(municipality_id):
            created += due_reminders(municipality_id=municipality_id, today=today)
            if is_first_working_day_of_week(today):
                created += team_digests(municipality_id=municipality_id, today=today)
    return created


def _open_dues(*, municipality_id: int, today: datetime.date, due_by: datetime.date):
    dues = list(
        TrainingDue.objects.filter(
            staff__municipality_id=municipality_id,
            staff__is_active=True,
            left_on__isnull=True,
            rule__withdrawn_at__isnull=True,
            exempt_reason="",
            due_on__lte=due_by,
        ).select_related("rule__course", "rule__quiz", "staff__user")
    )
    dues = [d for d in dues if d.cycle == d.rule.cycle_of(today)]  # last year's cycle is closed
    progress = selectors.due_progress(dues, today=today)
    return [
        (d, progress[d.pk]) for d in dues if progress[d.pk].status not in (Status.COMPLETED, Status.EXEMPT)
    ]


def due_reminders(*, municipality_id: int, today: datetime.date) -> int:
    """On a working day, the nearest threshold a due date has reached (so one missed over a holiday is
    sent on the next working day, once); on other days only for what is due that very day."""
    working = is_working_day(today)
    created = 0
    for due, _progress in _open_dues(
        municipality_id=municipality_id, today=today, due_by=today + datetime.timedelta(days=max(THRESHOLDS))
    ):
        days_left = (due.due_on - today).days
        if not working and days_left != 0:
            continue
        context = {"title": due.rule.title, "due": due.due_on.isoformat()}
        if days_left < 0:
            kind, key = Kind.OVERDUE, f"training:overdue:{due.pk}"
            subject = _("研修「%(title)s」の期限(%(due)s)が過ぎています") % context
            body = _(
                "期限までに修了していません。できるだけ早く受講してください。所属長にもお知らせしています。"
            )
        else:
            threshold = min(t for t in THRESHOLDS if days_left <= t)
            kind, key = Kind.DUE_REMINDER, f"training:due:{due.pk}:{threshold}"
            subject = _("研修「%(title)s」の期限は%(due)sです") % context
            body = (
                _("期限は今日です。")
                if days_left == 0
                else _("期限まであと%(days)s日です。") % {"days": days_left}
            )
        found = notify(
            recipient=due.staff.user,
            municipality_id=municipality_id,
            kind=kind,
            key=key,
            subject=subject,
            body=body,
            url=due.rule.item_url,
        )
        created += found is not None
    return created


def team_digests(*, municipality_id: int, today: datetime.date) -> int:
    """Each 所属長 (heading a department today): who in their subtree is overdue, who completed in the last
    week, and how many capstones wait for their decision. Nothing is sent when all three are empty."""
    from assessments.certification.api import capstone_tasks

    heads = (
        Assignment.objects.on(today)
        .filter(
            staff__municipality_id=municipality_id,
            staff__user__groups__name=ROLES[Role.MANAGER].group_name,
            staff__user__is_active=True,
        )
        .select_related("staff__user")
    )
    week_ago = today - datetime.timedelta(days=7)
    year, week, _weekday = today.isocalendar()
    created = 0
    for head in heads:
        user = head.staff.user
        headed = scope_for(user, on=today, purpose=Purpose.HEADED)  # their team: the subtree they head today
        if headed is None:
            continue
        dues = list(
            TrainingDue.objects.filter(
                headed.q("staff"), left_on__isnull=True, rule__withdrawn_at__isnull=True
            ).select_related("rule", "staff")
        )
        dues = [d for d in dues if d.cycle == d.rule.cycle_of(today)]
        progress = selectors.due_progress(dues, today=today)
        overdue = sorted(
            (d.staff.full_name, d.rule.title, d.due_on)
            for d in dues
            if progress[d.pk].status == Status.OVERDUE
        )
        done = sorted(
            (d.staff.full_name, d.rule.title)
            for d in dues
            if progress[d.pk].completed_at
            and week_ago <= timezone.localtime(progress[d.pk].completed_at).date() <= today
        )
        waiting = len(capstone_tasks(user=user).to_decide)
        if not (overdue or done or waiting):
            continue
        lines = [_("期限を過ぎている人(%(count)s人)") % {"count": len(overdue)}]
        lines += [f"・{name} {title}({due.isoformat()})" for name, title, due in overdue]
        lines += ["", _("この1週間に修了した人(%(count)s人)") % {"count": len(done)}]
        lines += [f"・{name} {title}" for name, title in done]
        lines += ["", _("あなたの承認を待っている修了課題: %(count)s件") % {"count": waiting}]
        found = notify(
            recipient=user,
            municipality_id=municipality_id,
            kind=Kind.TEAM_DIGEST,
            key=f"training:team:{user.pk}:{year}-W{week:02d}",
            subject=_("所属の研修の受講状況(%(year)s年第%(week)s週)") % {"year": year, "week": week},
            body="\n".join(lines),
            url=reverse("training:rule_list"),
        )
        created += found is not None
    return created
