"""The thesaurus in a process: the shipped file parsed once, the admins' groups re-read every
RELOAD_EVERY seconds and applied when they changed (another process's new group), without
parsing the file again on a reader's search."""
from __future__ import annotations

from board.search import analyzer, thesaurus


def K(word: str) -> tuple[str, ...]:
    return thesaurus._key(word)


def test_admins_groups_apply_after_the_interval_and_the_file_is_not_reparsed(monkeypatch):
    analyzer.load()
    K("户口本")  # the analyzer's own caches, before Thesaurus is counted below
    current = thesaurus._Current()
    lines = ["老赖 失信被执行人"]
    first = current.get(lambda: list(lines))
    assert K("失信被执行人") in first.alternatives(K("老赖"))

    parsed = []
    monkeypatch.setattr(thesaurus.Thesaurus, "__init__",
                        lambda self, lines=(): (parsed.append(1), setattr(self, "entries", {}))[0])
    clock = [1000.0]
    monkeypatch.setattr(thesaurus.time, "monotonic", lambda: clock[0])
    current._at = clock[0]
    assert current.get(lambda: list(lines)) is first  # within the interval: as it was

    clock[0] += thesaurus.RELOAD_EVERY + 1
    assert current.get(lambda: list(lines)) is first  # the same groups: nothing rebuilt

    lines.append("打黑车 非法营运")  # another process's admin adds a group
    clock[0] += thesaurus.RELOAD_EVERY + 1
    second = current.get(lambda: list(lines))
    assert second is not first
    assert K("非法营运") in second.alternatives(K("打黑车"))
    assert K("失信被执行人") in second.alternatives(K("老赖"))  # the earlier group kept
    assert second.alternatives(K("户口本"))  # and the file's
    assert len(parsed) == 1  # the new value only: the file was not parsed again
