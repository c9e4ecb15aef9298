"""The outbox on its own and shared: segments replayed in order and deleted, a failed delete that
loses nothing, one folder per instance on a shared disk, and folders of instances that are gone
taken over. Several "instances" here are Outbox objects of this one process: flock locks belong
to each open file, so two of them conflict as two processes would."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from scalechat.promptlog.outbox import Outbox
from scalechat.promptlog.redaction import Redactor
from scalechat.promptlog.sinks.jsonl import JsonlSink
from scalechat.promptlog.writer import PromptLog
from tests.promptlog.entries import eventually, make_entry
from tests.promptlog.outage import folder_unwritable


def records(prefix: str, count: int) -> list[dict[str, Any]]:
    return [{"id": f"{prefix}{i}"} for i in range(count)]


def replay_all(box: Outbox) -> list[str]:
    """What the writer does: peek, (send), advance; an error of the disk is tried again later."""
    seen: list[str] = []
    for _ in range(1000):
        try:
            documents = box.peek(7)
            if not documents:
                return seen
            seen += [d["id"] for d in documents]
            box.advance(len(documents))
        except OSError:
            continue
    raise AssertionError("the outbox never emptied")


def test_a_failed_segment_delete_loses_nothing_and_replays_nothing_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = Outbox(tmp_path, instance="a", segment_records=10)
    box.load()
    box.append(records("r", 30))  # three segments
    real_unlink = Path.unlink
    failures: list[Path] = []

    def unlink_failing_once(path: Path, missing_ok: bool = False) -> None:
        if path.name.startswith("segment-") and not failures:  # EIO, or a backup holding the file
            failures.append(path)
            raise OSError(5, "Input/output error")
        real_unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink_failing_once)
    assert replay_all(box) == [f"r{i}" for i in range(30)]
    assert failures and box.empty
    assert not list(tmp_path.rglob("segment-*"))


def test_each_instance_writes_its_own_folder_on_a_shared_disk(tmp_path: Path) -> None:
    first, second = Outbox(tmp_path, instance="web-1"), Outbox(tmp_path, instance="web-2")
    first.load()
    second.load()
    first.append(records("a", 5))
    second.append(records("b", 3))
    assert first.folder == tmp_path / "web-1" and second.folder == tmp_path / "web-2"
    assert replay_all(first) == [f"a{i}" for i in range(5)]
    assert replay_all(second) == [f"b{i}" for i in range(3)]
    first.close()
    second.close()


def test_a_second_process_of_the_same_instance_adds_its_pid(tmp_path: Path) -> None:
    first, second = Outbox(tmp_path, instance="web-1"), Outbox(tmp_path, instance="web-1")
    first.load()
    second.load()  # e.g. two workers on one host
    assert first.folder.name == "web-1" and second.folder.name == f"web-1-{os.getpid()}"
    first.append(records("a", 2))
    second.append(records("b", 2))
    assert replay_all(second) == ["b0", "b1"]  # not the first's records
    assert replay_all(first) == ["a0", "a1"]
    first.close()
    second.close()


def test_the_folders_of_instances_that_are_gone_are_taken_over_and_removed(tmp_path: Path) -> None:
    gone = Outbox(tmp_path, instance="web-old", segment_records=4)
    gone.load()
    gone.append(records("old", 10))  # three segments, left behind by a scaled-in instance
    alive = Outbox(tmp_path, instance="web-alive")
    alive.load()  # while web-old still runs: nothing to take over
    alive.append(records("alive", 3))
    gone.close()

    new = Outbox(tmp_path, instance="web-new")
    new.load()
    new.append(records("new", 2))
    assert new.pending == 12  # the gone instance's records and its own, not the live one's
    assert replay_all(new) == [f"old{i}" for i in range(10)] + ["new0", "new1"]
    assert not (tmp_path / "web-old").exists()  # replayed, then removed
    assert replay_all(alive) == ["alive0", "alive1", "alive2"]  # untouched
    new.close()
    alive.close()
    assert not (tmp_path / "web-new").exists()  # empty at close: nothing left for anybody


def test_outbox_files_and_folders_are_private(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox", instance="web-1")
    box.load()
    box.append(records("a", 2))
    box.dead_letter(records("d", 1))
    for path in (tmp_path / "outbox").rglob("*"):
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path
    assert stat.S_IMODE((tmp_path / "outbox").stat().st_mode) == 0o700
    box.close()


@pytest.mark.anyio
async def test_jsonl_sink_files_and_folder_are_private(tmp_path: Path) -> None:
    sink = JsonlSink(tmp_path / "promptlog")
    await sink.open()
    from scalechat.promptlog.record import build_document

    await sink.write([build_document(make_entry(), "full")])
    await sink.delete_user("nobody-matches")
    user = make_entry(user_id="gone")
    await sink.write([build_document(user, "full")])
    await sink.delete_user("gone")  # rewrites the day's file
    assert stat.S_IMODE((tmp_path / "promptlog").stat().st_mode) == 0o700
    files = list((tmp_path / "promptlog").iterdir())
    assert files and all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in files)


@pytest.mark.anyio
async def test_records_left_by_a_gone_instance_reach_the_sink_from_a_shared_outbox(tmp_path: Path) -> None:
    def make(instance: str) -> PromptLog:
        return PromptLog(
            JsonlSink(tmp_path / "log"), Outbox(tmp_path / "outbox", instance=instance), Redactor("full"),
            queue_size=1000, batch_size=10, retry_base=0.02, retry_max=0.1, linger=0.01,
        )  # fmt: skip

    old_entries = [make_entry() for _ in range(25)]
    old = make("web-old")
    await old.start()
    with folder_unwritable(tmp_path / "log"):
        for entry in old_entries:
            old.record(entry)
        await old.close(0.5)  # the sink is down: they stay in web-old's folder
    assert old.outbox.pending == 25
    new = make("web-new")
    await new.start()
    await eventually(lambda: new.waiting == 0)
    await new.close(5)
    stored = [d["id"] async for d in new.sink.records_of_user("user-1")]
    assert sorted(stored) == sorted(e.message_id for e in old_entries)
    assert not list((tmp_path / "outbox").rglob("segment-*"))


def test_segments_an_earlier_version_left_in_the_root_are_replayed_first(tmp_path: Path) -> None:
    (tmp_path / "segment-000000000007.jsonl").write_bytes(b'{"id": "legacy0"}\n{"id": "legacy1"}\n')
    box = Outbox(tmp_path, instance="web-1")
    box.load()
    box.append(records("new", 1))
    assert box.pending == 3
    assert replay_all(box) == ["legacy0", "legacy1", "new0"]
    assert not list(tmp_path.rglob("segment-*"))
    box.close()
