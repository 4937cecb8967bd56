"""DX assessment: the platform's question grading, and the same questions as Open edX XBlocks.

``dx_assessment.grading`` is pure Python (standard library only); the Django site imports it from here,
so there is one copy. ``dx_assessment.blocks`` holds the XBlocks (imported only where XBlock is present).
"""

__version__ = "0.1.0"
