"""``/voice PATH`` in the terminal: real recordings, the real offline recogniser, a subprocess."""

from __future__ import annotations

from pathlib import Path

from tests.speech import CORRUPT, SHORT_ANSWER, encode, heard_key_words, needs_espeak, speak
from tests.support.cli import events, run_cli

pytestmark = needs_espeak
ASK = ["--ask", "Tell me about a project you led.", "--ask", "How do you test a migration?"]


def recordings(folder: Path) -> dict[str, Path]:
    files = {"wav": speak(SHORT_ANSWER), "ogg": encode(speak(SHORT_ANSWER)),
             "txt": b"this is a note, not audio\n" * 10, "bad.ogg": CORRUPT}
    paths = {}
    for name, data in files.items():
        paths[name] = folder / f"answer.{name}"
        paths[name].write_bytes(data)
    return paths


def test_voice_answers_in_json_mode_with_the_offline_recogniser(tmp_path: Path):
    files = recordings(tmp_path)
    stdin = "\n".join([f"/voice {files['wav']}", f"/voice {files['txt']}",
                       f"/voice {files['bad.ogg']}", f"/voice {tmp_path / 'missing.wav'}",
                       "/status", f"/voice {files['ogg']}"]) + "\n"
    result = run_cli(["cli", "--role", "software_engineer", "--questions", "2", "--json", *ASK],
                     stdin, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    turns = events(result.stdout)
    spoken = [turn for turn in turns if turn.get("heard")]
    assert len(spoken) == 2
    for turn in spoken:
        assert len(heard_key_words(turn["heard"]["text"])) >= 3, turn["heard"]["text"]
        figures = turn["heard"]["delivery"]
        assert figures["words"] >= 10 and figures["words_per_minute"] > 60
        assert figures["engine"] == "pocketsphinx"
    errors = [turn["text"] for turn in turns if turn["kind"] == "error"]
    assert len(errors) == 3
    assert "isn't audio" in errors[0] and "damaged" in errors[1] and "couldn't open" in errors[2]
    status = next(turn for turn in turns if turn.get("status"))
    assert status["status"]["answers_given"] >= 1  # bad files cost nothing: the interview goes on
    report = turns[-1]["report"]
    assert turns[-1]["kind"] == "feedback" and report["delivery"]["spoken_answers"] == 2
    assert report["scores"] is not None  # content scores, beside (not mixed with) delivery
    assert "130-160" in report["delivery"]["guidance"]


def test_voice_answer_in_text_mode_shows_transcript_and_delivery(tmp_path: Path):
    files = recordings(tmp_path)
    result = run_cli(["cli", "--role", "software_engineer", "--questions", "1", *ASK[:2]],
                     f"/voice {files['ogg']}\n/end\n", timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "You said (transcribed):" in out and "Delivery:" in out and "words/min" in out
    assert "Delivery: how your spoken answers sounded" in out and "Not part of the scores" in out
    assert out.index("Scores") < out.index("Delivery: how your spoken answers")
