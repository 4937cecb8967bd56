"""/me/notifications/: a person's お知らせ, and how they want each kind by e-mail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .models import MANDATORY, Delivery, Kind, Notification

PAGE = 50


@login_required
def inbox(request):
    rows = list(Notification.objects.filter(recipient=request.user)[:PAGE])
    unread = [n.pk for n in rows if n.read_at is None]
    return render(request, "notifications/inbox.html", {"rows": rows, "unread": unread})


@login_required
@require_POST
def inbox_read(request):
    services.mark_read(user=request.user)
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    current = {kind: services.delivery_for(request.user, kind) for kind in Kind.values}
    problems: list[str] = []
    if request.method == "POST":
        choices = {kind: request.POST.get(f"delivery-{kind}", current[kind]) for kind in Kind.values}
        try:
            services.preferences_save(user=request.user, choices=choices)
        except ValidationError as exc:
            problems = exc.messages
        else:
            messages.success(request, _("お知らせの受け取り方を保存しました。"))
            return redirect("notifications:preferences")
    rows = [
        {
            "kind": kind,
            "label": label,
            "current": current[kind],
            "choices": [
                (v, lbl) for v, lbl in Delivery.choices if not (kind in MANDATORY and v == Delivery.OFF)
            ],
            "mandatory": kind in MANDATORY,
        }
        for kind, label in Kind.choices
    ]
    return render(request, "notifications/preferences.html", {"rows": rows, "problems": problems})
