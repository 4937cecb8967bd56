"""Competency levels from evidence, certification programmes as data, qualifications (issue 5).

The package itself imports nothing, so that its pure rule modules (``levels``, ``rules``, ``defaults``,
``proofs``, ``qualification_csv``) can run without Django in XBlocks and benchmarks.
"""
