"""Curriculum (Wagtail pages), the competency framework, enrolment and lesson progress (issue 3)."""
