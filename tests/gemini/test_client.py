"""The client is explicit and private; the fake is as strict as the API it stands for.

* No SDK environment variable can move the brain to Vertex AI, another API version or
  another host; which key wins when both are set is fixed and documented.
* Every request says ``store: false``.
* The report has its own timeout, sent per request, separate from the turns' one.
* The fake refuses what Google refuses (unknown fields, a thinking level the model does
  not take, a model turn last...), through the real SDK, so a mistake shows here first.
"""

from __future__ import annotations

import pytest
import structlog
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from core import InterviewService
from core.brain.base import Move, TurnRequest
from core.brain import gemini as gemini_module
from core.brain.gemini import GeminiBrain
from core.store import InMemoryStore
from tests.fakes.gemini_fake import FakeGemini, hang, plan
from tests.support.gemini import API_KEY, MODEL, interview, make_brain

SDK_ENVIRONMENT = {
    "GOOGLE_GENAI_USE_VERTEXAI": "true",
    "GOOGLE_GENAI_USE_ENTERPRISE": "true",
    "GOOGLE_GENAI_API_VERSION": "v1beta",
    "GOOGLE_GEMINI_BASE_URL": "http://127.0.0.1:9",
    "GOOGLE_CLOUD_PROJECT": "someone-elses-project",
    "GOOGLE_CLOUD_LOCATION": "us-central1",
}


async def test_sdk_environment_variables_change_nothing(fake: FakeGemini, who, where,
                                                        monkeypatch):
    for name, value in SDK_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    brain = make_brain(fake)
    service = InterviewService(brain=brain, store=InMemoryStore())

    await service.start(who, where, interview())

    # The Gemini API's path (Vertex AI's names a project and location) and its v1.
    assert fake.requests[0].path == f"/v1/models/{MODEL}:streamGenerateContent"
    await brain.aclose()


async def test_without_a_base_url_the_brain_goes_to_googles_endpoint_not_the_sdks_variable(
        fake: FakeGemini, who, where, monkeypatch):
    async with FakeGemini() as elsewhere:
        for name, value in SDK_ENVIRONMENT.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", elsewhere.base_url)
        # Google's endpoint, played by the fake: where a brain without GEMINI_BASE_URL goes.
        monkeypatch.setattr(gemini_module, "GOOGLE_BASE_URL", fake.base_url)
        default = GeminiBrain(api_key=API_KEY, model=MODEL)
        await InterviewService(brain=default, store=InMemoryStore()).start(who, where, interview())
        await default.aclose()
    assert elsewhere.requests == []
    assert fake.requests[0].path == f"/v1/models/{MODEL}:streamGenerateContent"


async def test_the_api_version_is_a_setting(fake: FakeGemini, who, where):
    brain = make_brain(fake, api_version="v1beta")
    service = InterviewService(brain=brain, store=InMemoryStore())

    await service.start(who, where, interview())

    assert fake.requests[0].path.startswith("/v1beta/models/")
    await brain.aclose()


def test_google_api_key_wins_when_both_are_set_as_in_the_sdk(monkeypatch):
    from bot.settings import Settings

    monkeypatch.setenv("GEMINI_API_KEY", "AIza-the-gemini-one")
    monkeypatch.setenv("GOOGLE_API_KEY", "AIza-the-google-one")
    assert Settings(_env_file=None).gemini_api_key.get_secret_value() == "AIza-the-google-one"
    monkeypatch.delenv("GOOGLE_API_KEY")
    assert Settings(_env_file=None).gemini_api_key.get_secret_value() == "AIza-the-gemini-one"


async def test_every_call_asks_google_not_to_store_it(gemini_service, brain, fake, who, where):
    await gemini_service.start(who, where, interview(questions=2))
    await gemini_service.hint(who, where)
    await gemini_service.answer(who, where, "I profiled the endpoint and added an index.")
    session = await gemini_service.session_for(who, where)
    await brain.plan_turn(TurnRequest(role=gemini_service.catalog.get(session.role_id),
                                      session=session, move=Move.hint, allowed=[Move.hint]))
    await gemini_service.feedback(who, where)

    methods = {r.method for r in fake.requests}
    assert methods == {"streamGenerateContent", "generateContent"}
    assert any("scores" in r.schema.get("properties", {}) for r in fake.requests)  # a report
    assert all(r.body["store"] is False for r in fake.requests)


async def test_the_report_has_its_own_timeout(fake: FakeGemini, who, where):
    brain = make_brain(fake, timeout_seconds=0.5, report_timeout_seconds=30)
    service = InterviewService(brain=brain, store=InMemoryStore())
    await service.start(who, where, interview(questions=2))
    await service.answer(who, where, "I profiled the endpoint and added an index to cut p95.")
    fake.script(hang(1.5))  # longer than a turn may take, well within the report's limit

    reply = await service.feedback(who, where)

    assert reply.report.generated_by == f"gemini:{MODEL}" and reply.report.notice is None
    turn, report = fake.requests[0], fake.requests[-1]
    # The SDK also tells the server each request's deadline.
    assert turn.headers["x-server-timeout"] == "1"
    assert report.headers["x-server-timeout"] == "30"
    await brain.aclose()


async def test_usage_counts_thinking_and_the_response_schema(gemini_service, fake, who, where):
    await gemini_service.start(who, where, interview())
    with structlog.testing.capture_logs() as events:
        await gemini_service.answer(who, where, "I profiled the endpoint and added an index.")

    session = await gemini_service.session_for(who, where)
    sent = [r.usage for r in fake.requests]
    assert all(u["thoughtsTokenCount"] > 0 for u in sent)  # 3.8 Flash thinks, even at LOW
    assert session.usage.output_tokens == sum(u["candidatesTokenCount"] + u["thoughtsTokenCount"]
                                              for u in sent)
    turn = fake.requests[-1]
    schema_chars = turn.prompt_chars - len(turn.system_text) - len(turn.contents_text)
    assert schema_chars > 200 and turn.usage["promptTokenCount"] == turn.prompt_chars // 4
    call = next(e for e in events if e["event"] == "gemini.call")
    assert call["response_id"].startswith("fake-") and call["finish_reason"] == "STOP"


async def test_thought_parts_never_reach_the_candidate(gemini_service, fake, who, where):
    """A thought summary and the empty part carrying the signature are not the message."""
    await gemini_service.start(who, where, interview())
    fake.script(plan("What was the p95 before?", "follow_up"))
    fake.chunk_chars = 7

    reply = await gemini_service.answer(who, where, "I added an index.")

    assert reply.text == "What was the p95 before?"


# --------------------------------------------------------------------------- the fake's strictness


def _client(fake: FakeGemini, **http: object) -> genai.Client:
    return genai.Client(vertexai=False, api_key=API_KEY, http_options=types.HttpOptions(
        base_url=fake.base_url, api_version="v1", **http))


@pytest.mark.parametrize(("model", "config", "status", "words"), [
    (MODEL, {"thinking_config": {"thinking_level": "MINIMAL"}}, 400, "not supported"),
    ("gemini-2.5-flash-lite", {"thinking_config": {"thinking_level": "LOW"}}, 400,
     "not supported"),
    (MODEL, {"thinking_config": {"thinking_level": "LOW", "thinking_budget": 0}}, 400,
     "together"),
    ("gemini-1.5-flash", {}, 404, "not found"),
    (MODEL, {"http_options": {"extra_body": {"generationConfig": {"temprature": 1}}}}, 400,
     'Unknown name "temprature"'),
    (MODEL, {"http_options": {"extra_body": {"storeRequests": False}}}, 400,
     'Unknown name "storeRequests"'),
], ids=["minimal-on-3.8", "level-on-2.5", "level-and-budget", "retired-model", "typo-in-config",
        "invented-field"])
async def test_the_fake_rejects_what_the_api_rejects(fake: FakeGemini, model, config, status,
                                                     words):
    client = _client(fake)
    with pytest.raises(genai_errors.APIError) as failure:
        await client.aio.models.generate_content(model=model, contents="Hi", config=config)
    assert failure.value.code == status
    assert words in failure.value.message
    await client.aio.aclose()


async def test_the_fake_wants_the_last_turn_to_be_the_users(fake: FakeGemini):
    client = _client(fake)
    contents = [types.Content(role="user", parts=[types.Part(text="Hi")]),
                types.Content(role="model", parts=[types.Part(text="Hello")])]
    with pytest.raises(genai_errors.ClientError) as failure:
        await client.aio.models.generate_content(model=MODEL, contents=contents)
    assert "last turn" in failure.value.message
    await client.aio.aclose()


async def test_the_fake_answers_camel_or_snake_case_like_proto_json(fake: FakeGemini):
    client = _client(fake)
    response = await client.aio.models.generate_content(
        model=MODEL, contents="Chosen move: ask",
        config={"store": False, "http_options": {"extra_body": {
            "generation_config": {"max_output_tokens": 64}}}})
    assert response.response_id and response.usage_metadata.thoughts_token_count == 96
    assert response.candidates[0].content.parts[-1].thought_signature
    await client.aio.aclose()


def test_every_gemini_setting_is_documented():
    from pathlib import Path

    from bot.settings import Settings

    repo = Path(__file__).resolve().parents[2]
    example = (repo / ".env.example").read_text()
    readme = (repo / "README.md").read_text()
    names = [name.upper() for name in Settings.model_fields if name.startswith("gemini_")]
    assert len(names) >= 7
    for name in names:
        assert f"\n{name}=" in example, name
        assert f"`{name}`" in readme, name
