"""Periodic indicator reporting: the pure core (no Django).

`catalog` loads a versioned indicator catalog (CSV), `numbers` reads and writes Vietnamese numbers,
`rules` parses and evaluates validation rules, `aggregate` rolls values up across units and periods.
These modules import nothing from Django so they can be tested and reused directly; the Django app
(models, forms, views) will build on them.
"""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
BNV_2021_INDICATORS = DATA_DIR / "indicators-bnv-2021.csv"
BNV_2021_RULES = DATA_DIR / "validation-rules-bnv-2021.csv"
