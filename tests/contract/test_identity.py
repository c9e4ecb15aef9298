"""IdentityStore: users and browser sessions."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from scalechat.store.factory import Backend
from tests.contract.builders import at, fresh_user, session, user

pytestmark = pytest.mark.anyio


async def test_saving_a_user_again_updates_it_and_keeps_its_creation_time(backend: Backend) -> None:
    identity = backend.identity
    ada = user(fresh_user(), seen=at(0))
    await identity.save_user(ada)
    assert await identity.get_user(ada.id) == ada

    renamed = replace(
        ada, name="Ada King", email="ada@king.example", tenant_id="tenant-2", created_at=at(50), last_seen_at=at(60)
    )
    await identity.save_user(renamed)

    assert await identity.get_user(ada.id) == replace(renamed, created_at=at(0))


async def test_a_missing_user_is_none(backend: Backend) -> None:
    assert await backend.identity.get_user(fresh_user()) is None


async def test_deleting_a_user_signs_them_out_everywhere(backend: Backend) -> None:
    identity = backend.identity
    gone, stays = fresh_user(), fresh_user()
    for person in (gone, stays):
        await identity.save_user(user(person))
    theirs = [session(gone), session(gone)]
    other = session(stays)
    for s in (*theirs, other):
        await identity.create_session(s)

    assert await identity.delete_user(gone) is True

    assert await identity.get_user(gone) is None
    assert [await identity.get_session(s.id) for s in theirs] == [None, None]
    assert await identity.get_session(other.id) == other
    assert await identity.get_user(stays) is not None
    assert await identity.delete_user(gone) is False


async def test_a_session_reads_back_and_takes_touches(backend: Backend) -> None:
    identity = backend.identity
    made = session(fresh_user(), last_seen_at=at(0))
    await identity.create_session(made)
    assert await identity.get_session(made.id) == made

    await identity.touch_session(made.id, at(30))
    await identity.touch_session("f" * 64, at(30))  # a session that is gone: nothing happens

    assert await identity.get_session(made.id) == replace(made, last_seen_at=at(30))


async def test_a_renewal_is_written_only_at_the_expected_version(backend: Backend) -> None:
    identity = backend.identity
    made = session(fresh_user(), version=3)
    await identity.create_session(made)

    renewed = await identity.renew_session(made.id, expected_version=3, claims={"name": "Ada", "n": 2}, secrets="c2")
    lost_race = await identity.renew_session(made.id, expected_version=3, claims={"late": True}, secrets="c3")

    assert (renewed, lost_race) == (True, False)
    assert await identity.get_session(made.id) == replace(made, version=4, claims={"name": "Ada", "n": 2}, secrets="c2")
    assert await identity.renew_session("f" * 64, expected_version=1, claims={}, secrets="x") is False


async def test_deleting_a_session(backend: Backend) -> None:
    identity = backend.identity
    made = session(fresh_user())
    await identity.create_session(made)

    assert await identity.delete_session(made.id) is True
    assert await identity.get_session(made.id) is None
    assert await identity.delete_session(made.id) is False


async def test_purging_removes_expired_and_idle_sessions(backend: Backend) -> None:
    # Global, like a real purge job: other tests' sessions may go too; only this test's are checked.
    identity = backend.identity
    owner = fresh_user()
    far = at(0) + timedelta(days=365 * 100)  # stays clear of any other test's purge
    expired = session(owner, last_seen_at=far, expires_at=far - timedelta(hours=1))
    idle = session(owner, last_seen_at=far - timedelta(hours=9), expires_at=far + timedelta(hours=5))
    fresh = session(owner, last_seen_at=far - timedelta(minutes=5), expires_at=far + timedelta(hours=5))
    for s in (expired, idle, fresh):
        await identity.create_session(s)

    removed = await identity.purge(expired_before=far, idle_before=far - timedelta(hours=8))

    assert removed >= 2
    assert await identity.get_session(expired.id) is None
    assert await identity.get_session(idle.id) is None
    assert await identity.get_session(fresh.id) == fresh
