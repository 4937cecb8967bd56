"""A framework as a 1EdTech CASE 1.0 CFPackage (JSON): building one, and reading one back with every problem.

No database access. The mapping (identifiers are the model UUIDs; every ``uri`` is ``urn:uuid:<identifier>``):

* ``CFDocument``: the framework: ``title``, ``version``, ``description``; ``notes`` = 出典 (source);
  ``language`` ``ja``; ``extensions.titleEn``, and ``extensions.levels`` (the levels' English names and
  descriptors, which ``CFRubricCriterionLevel`` has no room for).
* ``CFItems``: areas (``CFItemType`` 領域) and competencies (能力): ``humanCodingScheme`` = code,
  ``fullStatement`` = name, ``alternativeLabel`` = English name, ``notes`` = description; competencies carry
  ``extensions.descriptionEn``, ``extensions.sourceMapping`` and ``extensions.isCore``.
* ``CFAssociations``: ``isChildOf`` competency → area and area → document; ``sequenceNumber`` = display order;
  and the mappings (``exactMatchOf``, ``isPartOf``, ``isRelatedTo``) from a competency to an item of a
  reference framework, which is not in the package (its ``destinationNodeURI`` is the item's own URI).
* ``CFDefinitions.CFItemTypes``: the two item types, referred to by each item's ``CFItemTypeURI``.
* ``CFRubrics``: one rubric with one criterion (習熟度) whose ``CFRubricCriterionLevels`` are the 5 levels:
  ``score`` = level, ``quality`` = name, ``description`` = descriptor.

Reading validates against the vendored CASE 1.0 JSON schema and our extensions' schema, then checks the
meaning (associations resolve, one parent per item, unique codes and identifiers, levels 1 to 5). Every
problem is reported with its JSON path, e.g. ``CFItems[3].humanCodingScheme: コードが空です。``

A package published by others (any item types, any depth) is read by ``parse_reference`` (``reference``)
into a reference framework, with the hierarchy taken from its ``isChildOf`` associations (ADR 0021).
"""

from .build import build
from .parse import is_own_package, parse
from .reference import Hierarchy, parse_reference
from .vocabulary import AREA_TYPE, COMPETENCY_TYPE, MAPPING_TYPES, node_uri

__all__ = [
    "AREA_TYPE",
    "COMPETENCY_TYPE",
    "MAPPING_TYPES",
    "Hierarchy",
    "build",
    "is_own_package",
    "node_uri",
    "parse",
    "parse_reference",
]
