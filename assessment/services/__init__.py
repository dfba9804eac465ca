"""Every state change of the assessment, as ``<entity>_<verb>(*, actor, ...)`` functions.

- ``plans``: plans, scope and indicators (A1)
- ``compute``: computing indicators and results (A2, A4)
- ``review``: self-assessments, reviewer scores and objections (A3)
- ``rectification``: notices, reports and escalation (A5)
- ``annual_reports``: annual sharing reports (A6)
- ``complaints``: complaints (A7)
- ``evidence``: uploaded evidence files
"""
