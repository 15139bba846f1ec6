"""Scoring: one engine for the PAR index, the 766 service index and any index a province defines.

Templates are YAML data (`data/templates/`); `template` loads and validates them, `engine` scores them.
Both are plain Python (no Django) so they can be tested and reused anywhere.
"""
