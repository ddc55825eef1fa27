"""Issue 21: foreigners search with Latin-script words — passport numbers, visa types, names.
They stay whole and case-insensitive: a passport number is found by itself, not by its first
digits; 「Q2 visa」 by q2; a name by the name."""
from __future__ import annotations

from board.search import analyzer


def found_ids(client, q):
    response = client.get("/api/v1/search", query_string={"q": q})
    assert response.status_code == 200
    return [r["thread_id"] for r in response.get_json()["results"]]


def test_latin_words_are_single_lowercase_tokens():
    assert analyzer.terms("护照E12345678到期,Q2签证 John SMITH") == [
        "护照", "e12345678", "到期", "q2", "签证", "john", "smith"]
    indexed = [t.text for t in analyzer.tokenize("E12345678 Q2 Smith", index=True)]
    assert indexed == ["e12345678", "q2", "smith"]  # no pieces of them: e1, e123, smi…


def test_a_passport_number_finds_its_thread_and_its_prefix_does_not(client, make):
    author = make.make_user()
    passport = make.make_thread(author, "exit-entry", "question", title="护照 E12345678 丢失了",
                                body="我的护照号码是 E12345678,在火车站丢了,怎么补办?")
    visa = make.make_thread(author, "exit-entry", "question", title="Q2 visa 可以延期吗",
                            body="My Q2 visa expires next month. Can Mr Smith extend it here?")
    make.make_thread(author, "exit-entry", "question", title="护照加急办理要多久",
                     body="下周出国,护照能加急吗?")
    assert found_ids(client, "E12345678") == [passport.id]
    assert found_ids(client, "e12345678") == [passport.id]
    assert passport.id not in found_ids(client, "E123")
    assert found_ids(client, "q2") == [visa.id]
    assert found_ids(client, "Q2 visa") == [visa.id]
    assert found_ids(client, "smith") == [visa.id]
    assert visa.id not in found_ids(client, "Q")


def test_no_dictionary_word_splits_a_latin_word_or_makes_case_matter(tmp_path):
    """jieba's dictionaries are case-sensitive and may hold Latin pieces (an admin's word "E1",
    "Q2签证"): they must not cut a passport number, nor make Q2签证 and q2签证 differ."""
    analyzer.add_word(tmp_path, "E1")
    analyzer.add_word(tmp_path, "Q2签证")
    try:
        assert analyzer.terms("E12345678") == ["e12345678"]
        assert analyzer.terms("Q2签证") == analyzer.terms("q2签证") == ["q2", "签证"]
    finally:
        analyzer.remove_word(tmp_path, "E1")
        analyzer.remove_word(tmp_path, "Q2签证")
