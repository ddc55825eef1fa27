"""The indexer analyzes a thread line by line from a cache (issue 19: a reply to a long thread no
longer re-analyzes every reply), and must index exactly the tokens the whole text gives."""
from __future__ import annotations

from board.search import analyzer

TEXTS = [
    "户口迁移需要哪些材料?\n我想把户口从老家迁到鹿城区,请问去哪个窗口办理?",
    # traditional characters (folded), full-width letters and digits, a plate, an e-mail
    "護照過期了怎麼辦\n車牌蒙Ｂ１２３４５被套牌\n联系 wang.hf@example.cn 或 0472-5123456",
    # a one-character stopword kept inside a name, the name split over a line break
    "住在世和安小区\n和\n安小区的张\n和平里居委会",
    "户口簿和身份证\n\n\n  \n结尾没有换行",
    "",
    "单独一行,没有换行符",
    "京\nA12345 蒙\nB12345",  # a plate's province at the end of a line: never glued across it
    "鹿城区東河區派出所\n后面一行是简体",  # one traditional line makes every line fold char by char
]


def test_index_tokens_are_the_whole_texts_tokens_cached_or_not():
    for text in TEXTS:
        expected = analyzer.tokenize(text, index=True)
        assert analyzer.index_tokens(text) == expected, text
        assert analyzer.index_tokens(text) == expected, text  # from the cache
    # lines shared between documents, in another order, come out the same from the cache
    joined = "\n".join(TEXTS[::-1])
    assert analyzer.index_tokens(joined) == analyzer.tokenize(joined, index=True)


def test_a_new_word_reaches_cached_lines(tmp_path):
    line = "我在嘉禾湾畔小区门口被偷了电动车"
    before = analyzer.index_tokens(line)
    assert "嘉禾湾畔" not in {t.text for t in before}
    try:
        analyzer.add_word(tmp_path, "嘉禾湾畔")
        after = analyzer.index_tokens(line)
        assert "嘉禾湾畔" in {t.text for t in after}
        assert after == analyzer.tokenize(line, index=True)
    finally:
        analyzer.remove_word(tmp_path, "嘉禾湾畔")
    assert analyzer.index_tokens(line) == before
