"""The first loop: a citizen asks, an officer answers under a real name."""


def test_citizen_question_gets_officer_answer_with_badge(client, make, login):
    citizen = make.make_user()
    officer = make.make_user("officer", unit_code="hukou", real_name="王海峰", badge_no="150231")
    thread = make.make_thread(citizen, "hukou", title="户口簿丢了怎么补办")
    login(officer)
    response = client.post(f"/t/{thread.id}/reply", data={"body": "带身份证到派出所即可补办。"})
    assert response.status_code == 302
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "王海峰" in page and "150231" in page and "市公安局户政管理支队" in page
