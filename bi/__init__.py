"""Presentation for BI users: file exports with manifests and the HTML report.

Reads published snapshots only, through the same locked-down read path as
analyst SQL; nothing here shapes what a run publishes, so it is outside the
publish fingerprint.
"""
