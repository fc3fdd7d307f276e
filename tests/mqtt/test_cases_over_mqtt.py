"""Cases over MQTT: a clerk opens them, the manager sees warnings and proxied cases."""

from __future__ import annotations

from .conftest import Inbox


def test_the_manager_sees_a_case_due_today_in_the_warnings_and_a_proxied_case_with_its_agent(server, device):
    clerk, manager = device("clerk-04"), device("manager-01")
    overview = Inbox()
    manager.on_cases(overview)
    # Unemployment registration is promised the same day: due today, so it is flagged.
    due_today = clerk.request("OpenCase", {"item": "RS-0403", "applicant_name": "郑十", "by": "刘芳", "window": 4,
                                           "received": ["本人身份证"]})
    assert due_today.ok, due_today.error
    flagged = due_today.result["events"][0]["case"]
    loan = clerk.request("OpenCase", {"item": "RS-0402", "applicant_name": "王小二", "by": "刘芳", "window": 4,
                                      "received": ["创业担保贷款申请书", "身份证", "营业执照", "创业计划书"]})
    proxied = loan.result["events"][0]["case"]
    assert clerk.request("EntrustCase", {"case": proxied, "agent": "agent-village-01", "consent_by": "王小二",
                                         "by": "刘芳"}).ok
    # Another window's clerk may not open cases for window 4.
    assert device("clerk-01").request("OpenCase", {"item": "RS-0403", "applicant_name": "x", "by": "y",
                                                   "window": 4}).error.code == "not_authorized"
    seen = overview.wait_for(lambda o: o.open_cases == 2 and o.proxied)
    assert [w.case for w in seen.warnings] == [flagged] and seen.warnings[0].light in ("yellow", "red")
    p = seen.proxied[0]
    assert (p.case, p.agent_name, p.steps_done) == (proxied, "罗秀兰", 1)
    assert p.applicant.startswith("王") and "小二" not in p.applicant
