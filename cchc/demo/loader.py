"""Load the demo province (Tỉnh Gia Lai as it was in 2021) and one account per role.

Everything comes from the data files next to this module, through the same importers an
operator uses, so the demo also exercises them:

- the current national list (`load_vn`), so that the old province can name its successor "52";
- `data/gialai-2021-units.csv` through `import_units` (the `cchc units import` CSV format);
- the standard periods of 2021 and of the current year;
- `data/users.csv`: demo accounts with fixed, documented passwords.

Running it again changes nothing, except that it puts back the documented passwords and lifts
login lockouts of the demo accounts, so a demo whose passwords were changed can be reset.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cchc.cli import CliError

DATA_DIR = Path(__file__).resolve().parent / "data"
UNITS_FILE = DATA_DIR / "gialai-2021-units.csv"
USERS_FILE = DATA_DIR / "users.csv"
DEMO_YEAR = 2021
PROVINCE_CODE = "GL"
USER_COLUMNS = ("username", "password", "role", "unit_code", "full_name")
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    unit_code: str
    full_name: str


def read_accounts(path: Path = USERS_FILE, roles: tuple[str, ...] = ()) -> list[DemoAccount]:
    """Parse the demo accounts file; a bad row stops the demo with the row and column named."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in USER_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise CliError(f"{path.name}: thiếu cột {', '.join(missing)}")
        accounts: list[DemoAccount] = []
        seen: set[str] = set()
        for line, row in enumerate(reader, start=2):
            values = {c: (row.get(c) or "").strip() for c in USER_COLUMNS}
            account = DemoAccount(**values)
            if not account.username:
                raise CliError(f"{path.name}, dòng {line}, cột username: chưa có tên đăng nhập")
            if account.username in seen:
                raise CliError(f"{path.name}, dòng {line}, cột username: “{account.username}” bị lặp")
            if roles and account.role not in roles:
                raise CliError(
                    f"{path.name}, dòng {line}, cột role: “{account.role}” không phải là vai trò hợp lệ "
                    f"({', '.join(roles)})"
                )
            if len(account.password) < MIN_PASSWORD_LENGTH:
                raise CliError(
                    f"{path.name}, dòng {line}, cột password: mật khẩu phải có ít nhất "
                    f"{MIN_PASSWORD_LENGTH} ký tự"
                )
            seen.add(account.username)
            accounts.append(account)
    return accounts


def ensure_account(account: DemoAccount) -> Any:
    """Create or update one demo user, saving only when something differs (no spurious audit rows)."""
    from cchc.accounts.models import Role, User
    from cchc.units.models import Unit

    unit = None
    if account.unit_code:
        unit = Unit.objects.filter(code=account.unit_code).first()
        if unit is None:
            raise CliError(
                f"{USERS_FILE.name}, tài khoản {account.username}, cột unit_code: "
                f"không có đơn vị mã “{account.unit_code}”"
            )
    is_admin = account.role == Role.ADMIN
    wanted = {
        "role": account.role,
        "unit_id": unit.pk if unit else None,
        "is_superuser": is_admin,
        "is_staff": is_admin,
        "is_active": True,
        "first_name": account.full_name,
        "last_name": "",
    }
    user = User.objects.filter(username=account.username).first() or User(username=account.username)
    changed = user.pk is None
    for field, value in wanted.items():
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed = True
    if not user.has_usable_password() or not user.check_password(account.password):
        user.set_password(account.password)
        changed = True
    if changed:
        user.save()
    return user


def load_demo(*, samples: bool = True) -> dict[str, Any]:
    """Load the demo province, its periods and accounts; idempotent. Returns what `cchc demo` prints.

    With `samples`, also the sample activity of each capability (indicator submissions of
    2021-H1, one-stop dossiers, PAR scores),
    which takes a few seconds; tests of the base demo leave it out.
    """
    from axes.utils import reset as reset_lockouts
    from django.db import transaction
    from django.utils import translation

    from cchc.accounts.models import Role
    from cchc.periods.models import Period
    from cchc.periods.services import create_year_periods, ensure_reference_data
    from cchc.units.importer import import_units
    from cchc.units.models import Unit
    from cchc.units.vn import load_vn

    accounts = read_accounts(roles=tuple(Role.values))
    with transaction.atomic():
        national = load_vn()
        imported = import_units(UNITS_FILE)
        ensure_reference_data()
        create_year_periods(DEMO_YEAR)
        users = [(account, ensure_account(account)) for account in accounts]
    for account in accounts:
        reset_lockouts(username=account.username)

    extra: dict[str, Any] = {}
    if samples:
        from cchc.onestop.demo import load_dossier_demo
        from cchc.reporting.demo import load_reporting_demo
        from cchc.scoring.demo import load_scoring_demo

        extra["reporting"] = load_reporting_demo()
        extra["dossiers"] = load_dossier_demo()
        extra["scoring"] = load_scoring_demo()

    province = Unit.objects.get(code=PROVINCE_CODE)
    with translation.override("vi"):
        listed = [
            {
                "username": account.username,
                "password": account.password,
                "role": account.role,
                "role_label": str(Role(account.role).label),
                "unit": user.unit.name if user.unit else None,
            }
            for account, user in users
        ]
    return {
        "units": Unit.objects.count(),
        "periods": Period.objects.count(),
        "year": DEMO_YEAR,
        "province": {"code": province.code, "name": province.name, "units": _count_rows(UNITS_FILE)},
        "national": national,
        "imported": {"created": imported.created, "updated": imported.updated},
        "users": listed,
        **extra,
    }


def _count_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))
