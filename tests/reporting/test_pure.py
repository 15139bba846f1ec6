"""The reporting core stays plain Python: importing it must not pull Django in."""

import subprocess
import sys


def test_core_modules_do_not_import_django():
    code = (
        "import sys\n"
        "import cchc.reporting.aggregate, cchc.reporting.catalog\n"
        "import cchc.reporting.numbers, cchc.reporting.rules\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
