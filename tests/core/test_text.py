import pytest

from core.text import bar, clean_input, excerpt, split_message, tail


def test_split_prefers_paragraphs_then_sentences_and_never_cuts_words():
    paragraph = "This is a sentence about the interview. " * 30
    text = "\n\n".join([paragraph.strip()] * 4)
    chunks = split_message(text, 2000)
    assert all(len(chunk) <= 2000 for chunk in chunks)
    assert " ".join(chunks).split() == text.split()  # nothing lost, no word cut
    assert all(chunk.endswith(".") for chunk in chunks)


def test_split_only_cuts_a_word_longer_than_the_limit():
    chunks = split_message("short " + "x" * 4500 + " tail", 2000)
    assert all(len(chunk) <= 2000 for chunk in chunks)
    assert "".join(chunks).replace(" ", "") == ("short" + "x" * 4500 + "tail")


@pytest.mark.parametrize("limit", [50, 300, 2000, 3000])
def test_split_respects_any_limit(limit):
    text = "Word " * 2000
    assert all(0 < len(chunk) <= limit for chunk in split_message(text, limit))


def test_excerpt_and_tail_cut_at_word_boundaries():
    text = "alpha beta gamma delta epsilon " * 20
    head = excerpt(text, 40)
    end = tail(text, 40)
    assert head.endswith("…") and len(head) <= 40 and head[:-1].split()[-1] in text.split()
    assert end.startswith("…") and len(end) <= 41 and end[1:].split()[0] in text.split()


def test_clean_input_keeps_scripts_and_emoji_but_drops_invisible_characters():
    assert clean_input("  héllo\u200b wörld 🚀 مرحبا\x00\r\n\r\n\r\n\r\nend ") == \
        "héllo wörld 🚀 مرحبا\n\nend"


def test_bar_shows_the_score_out_of_five():
    assert bar(3) == "■■■□□" and bar(None) == "□□□□□" and bar(5) == "■■■■■"
