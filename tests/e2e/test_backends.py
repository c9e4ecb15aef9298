"""The web app on the production backends: the same chat, branches and history on PostgreSQL
and on Cosmos DB (the test server) as on SQLite. Each server migrates or creates its own
storage on start, as `make run` with DATABASE_URL or AZURE_COSMOSDB_ENDPOINT does."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.cosmos_server import CosmosServer
from tests.e2e.conftest import screenshot, web_build_dir
from tests.e2e.test_chat import action, answers, conversation_id, questions, send, stored, wait_status
from tests.postgres_server import PostgresServer
from tests.support import ServerProcess, running_server


@pytest.fixture(scope="module", params=["postgresql", "cosmos"])
def app_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    env = {"SCALECHAT_WEB_DIR": str(web_build_dir())}
    if request.param == "postgresql":
        postgres: PostgresServer = request.getfixturevalue("postgres")
        name = "e2e"
        postgres.create_database(name)  # empty: the server migrates it on start
        env["DATABASE_URL"] = postgres.url(name)
    else:
        cosmos: CosmosServer = request.getfixturevalue("cosmos_server")
        env |= cosmos.app_env("e2e")  # no database yet: the server creates it and its containers
    with running_server(tmp_path_factory.mktemp(f"e2e-{request.param}"), **env) as process:
        yield process


def backend_of(server: ServerProcess) -> str:
    return "postgresql" if "DATABASE_URL" in server.env else "cosmos"


def test_chat_branches_and_history_survive_a_restart(page: Page, api: httpx.Client, app_server: ServerProcess) -> None:
    backend = backend_of(app_server)
    page.goto("/")
    send(page, f"Hello from {backend}")
    first = answers(page).last
    wait_status(first, "completed")
    first_id = first.get_attribute("data-message-id")
    action(first, "Regenerate").click()
    second = answers(page).last
    expect(second).to_contain_text("2/2")
    wait_status(second, "completed")
    send(page, "And a follow-up")
    wait_status(answers(page).last, "completed")
    expect(questions(page)).to_have_count(2)
    cid = conversation_id(page)

    # Back to the first version of the answer: the branch switch is stored.
    action(answers(page).first, "Previous version").click()
    expect(answers(page).first).to_have_attribute("data-message-id", first_id or "")
    expect(questions(page)).to_have_count(1)  # the follow-up belongs to the other branch
    page.wait_for_timeout(300)
    assert stored(api, cid)["current_message_id"] == first_id

    # The server restarts (on a new port); the browser opens the chat again: everything is read
    # back from the database.
    app_server.stop()
    app_server.start()
    page.goto(f"{app_server.url}/c/{cid}")
    history = page.get_by_role("navigation", name="Chat history")
    expect(history.get_by_role("link", name=f"Hello from {backend}")).to_be_visible()
    expect(answers(page).first).to_have_attribute("data-message-id", first_id or "")
    expect(answers(page).first).to_contain_text("1/2")
    action(answers(page).first, "Next version").click()
    expect(questions(page)).to_have_count(2)
    expect(questions(page).last).to_contain_text("And a follow-up")
    screenshot(page, f"chat-on-{backend}")
    # A second question is sent on the stored conversation, after the restart.
    send(page, "Still here?")
    wait_status(answers(page).last, "completed")
    expect(questions(page)).to_have_count(3)
