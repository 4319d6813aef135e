"""verify._plain: the ASCII shortcut and the cache give what NFKD without combining marks and apostrophes gives."""

from __future__ import annotations

import unicodedata

import pytest

from headwater.clean.dedup.verify import _plain, tokens_of


def _reference(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch) and ch != "'")


@pytest.mark.parametrize("word", ["o'neil", "don't", "plain", "", "'", "zoë", "crème", "ﬁne", "ǆ", "straße", "çà'ù", "ascii'and'é"])
def test_plain_is_nfkd_without_marks_and_apostrophes(word: str) -> None:
    assert _plain(word) == _reference(word)
    assert _plain(word) == _reference(word)  # the cached answer too


def test_words_of_accented_and_ascii_texts_compare_alike() -> None:
    assert tokens_of("Zoë's crème order").words == tokens_of("zoes creme order").words == ("zoes", "creme", "order")
