"""Certification's views, one module per domain (``urls.py`` wires them).

* ``evidence``: the learner's evidence page with the qualification claim (/me/evidence/), the proof
  download, and HR's review (/hr/evidence/).
* ``capstone``: the 修了課題 pages: the candidate's own (/me/capstone/), the task list (/capstones/), one
  capstone with its decisions, and its attachments.
* ``certificates``: the public verification page and the Open Badges documents (/certificates/…), and
  HR's list with revocation (/hr/certificates/).
"""
