"""The proficiency scale (``scale``) as Django field validators and check-constraint conditions.

Kept apart from ``scale`` so that the pure rule modules can import the numbers without importing Django.
The values are those the migrations already hold (``MinValueValidator(1)``, ``level__gte=1`` ...), so
using them changes no migration.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q

from .scale import LEVEL_MAX, LEVEL_MIN

LEVEL_VALIDATORS = [MinValueValidator(LEVEL_MIN), MaxValueValidator(LEVEL_MAX)]


def level_in_range(field: str = "level", *, nullable: bool = False) -> Q:
    """The ``CheckConstraint`` condition: ``field`` on the scale (or NULL, when ``nullable``)."""
    in_range = Q(**{f"{field}__gte": LEVEL_MIN}) & Q(**{f"{field}__lte": LEVEL_MAX})
    return Q(**{f"{field}__isnull": True}) | in_range if nullable else in_range
