"""Scoring fixtures: a small template loaded into the database, units and users around it.

Shared with the scoring page tests: `mini_template`, `scoring_users` (reporter of H01 and an officer of
another province besides the tree's users) and `self_assessed` (H01's assessment, submitted).
"""

from __future__ import annotations

import pytest

from cchc.accounts.models import Role, User
from cchc.scoring import services

MINI_YAML = """\
code: par-mini
name: Chỉ số CCHC thử nghiệm
year: 2022
unit_kind: huyen
bands:
  - {min: 80, label: Tốt}
  - {min: 65, label: Khá}
  - {min: 50, label: Trung bình}
  - {min: 0, label: Yếu}
criteria:
  - code: "1"
    name: Công tác chỉ đạo, điều hành CCHC
    children:
      - {code: "1.1", name: "Kế hoạch CCHC", max: 2}
      - {code: "1.2", name: "Báo cáo CCHC", max: 1.5}
      - code: "1.3"
        name: Mức độ hoàn thành kế hoạch
        max: 2
        method: metric
        source: plan_completion_rate
        rule: {type: proportional, target: 100}
  - code: "2"
    name: Cải cách thể chế
    children:
      - {code: "2.1", name: "Rà soát văn bản", max: 3}
      - {code: "2.2", name: "Mức độ hài lòng", max: 1.5, method: survey}
"""

MANUAL_MAX = {"1.1": "2", "1.2": "1.5", "2.1": "3"}


@pytest.fixture
def mini_template(db):
    return services.load_template_text(MINI_YAML)[0]


@pytest.fixture
def scoring_users(users, tree) -> dict[str, User]:
    def make(username: str, role: str, unit) -> User:
        user = User(username=username, role=role, unit=unit)
        user.set_password("Mat-khau-thu-nghiem-2021")
        user.save()
        return user

    return {
        **users,
        "h01": make("h01_baocao", Role.REPORTER, tree["district_a"]),
        "h02": make("h02_baocao", Role.REPORTER, tree["district_b"]),
        "foreign_officer": make("bd_canbo", Role.OFFICER, tree["other"]),
    }


@pytest.fixture
def self_assessed(mini_template, scoring_users, tree):
    """H01's 2022 assessment with full self-scores, submitted."""
    user = scoring_users["h01"]
    assessment = services.get_or_create_assessment(mini_template, tree["district_a"], 2022, user)
    services.save_self_scores(
        assessment,
        user,
        {"1.1": ("2", "Đã ban hành"), "1.2": ("1", "Trễ 1 báo cáo"), "2.1": ("2.5", "")},
        expected_version=assessment.version,
    )
    services.submit(assessment, user)
    return assessment
