"""periods:list — every logged-in role reads it; year selector; window, deadline and status shown."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cchc.periods import services
from cchc.periods.models import Period

URL = reverse("periods:list")


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "officer", "reporter", "viewer"])
def test_every_role_sees_the_periods_of_the_year(client, users, role):
    services.create_year_periods(2021)
    services.close_period(Period.objects.get(code="2021-Q1"))
    client.force_login(users[role])
    response = client.get(URL, {"year": 2021})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kỳ báo cáo năm 2021" in html
    assert "6 tháng đầu năm 2021" in html
    assert "15/12/2020 – 14/06/2021" in html  # window of 2021-H1
    assert "19/06/2021" in html  # its deadline
    assert html.count('class="badge closed"') == 1
    assert html.count('class="badge open"') == 18
    manages = role in ("admin", "officer")
    assert (reverse("periods:create_year") in html) is manages
    assert (reverse("periods:toggle", args=[Period.objects.get(code="2021-Q1").pk]) in html) is manages


@pytest.mark.django_db
def test_year_selector_lists_years_unlocalised(client, users):
    services.create_year_periods(2021)
    services.create_year_periods(2022)
    client.force_login(users["viewer"])
    html = client.get(URL, {"year": 2022}).content.decode()
    assert '<option value="2022" selected>2022</option>' in html
    assert '<option value="2021">2021</option>' in html
    assert "2.021" not in html
    assert "2022-M05" in html and "2021-M05" not in html


@pytest.mark.django_db
def test_bad_year_falls_back_to_current_year(client, users):
    client.force_login(users["viewer"])
    response = client.get(URL, {"year": "abc"})
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year
    assert "Chưa có kỳ báo cáo nào của năm" in response.content.decode()
