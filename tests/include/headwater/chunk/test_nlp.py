import pytest
from gensim.parsing.preprocessing import STOPWORDS as GENSIM_STOPWORDS

from headwater.chunk.nlp import KeywordExtractor, content_tokens, make_stemmer, segments, sentence_spans, stopwords, tokenize, word_spans

TICKETS = [
    "My trail running shoes separated at the toe. Trail running in rain broke them.",
    "Great trail running shoe, the outsole grips wet granite.",
    "Billing address wrong on invoice; please fix the billing address.",
]


def test_tokenizers_need_no_downloaded_data() -> None:
    text = "The outsole didn't hold; it separated."
    assert tokenize(text) == ["The", "outsole", "did", "n't", "hold", ";", "it", "separated", "."]
    assert tokenize(text, "regexp") == ["The", "outsole", "didn't", "hold", "it", "separated"]
    with pytest.raises(ValueError, match="tokenizer 'spacy': expected one of treebank, regexp"):
        tokenize(text, "spacy")


def test_word_spans_are_exact_offsets() -> None:
    text = "multi-line café, ok"
    assert word_spans(text) == [(0, 10), (11, 15), (17, 19)]
    assert [text[a:b] for a, b in word_spans(text)] == ["multi-line", "café", "ok"]


def test_sentences_end_at_punctuation_or_line_breaks_and_skip_urls() -> None:
    text = "Hello there. It costs 5.5 EUR! Really?\nMore at the shop (https://x.com/p). End"
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Hello there.",
        "It costs 5.5 EUR!",
        "Really?",
        "More at the shop (https://x.com/p).",
        "End",
    ]
    mail = "Mail me at a@b.com or see https://x.com/p now. Done"
    assert [mail[a:b] for a, b in segments(mail)] == ["Mail me at ", " or see ", " now.", "Done"]


def test_stopwords_are_gensims_builtin_list_without_downloads() -> None:
    english = stopwords("english")
    assert english >= GENSIM_STOPWORDS and {"the", "and", "after"} <= english
    assert "shoe" not in english
    with pytest.raises(ValueError, match="language 'klingon'"):
        stopwords("klingon")


def test_stemmers() -> None:
    assert make_stemmer()("running") == "run"
    assert make_stemmer("snowball")("generously") == "generous"
    assert make_stemmer("porter")("generously") == "gener"
    assert make_stemmer("none")("Running") == "running"
    assert make_stemmer("snowball", "german")("Laufschuhe") == "laufschuh"
    with pytest.raises(ValueError, match="stemmer 'lancaster'"):
        make_stemmer("lancaster")


def test_content_tokens_drop_stopwords_numbers_and_short_words() -> None:
    text = "The 3 shoes were separating after 20 km of running, at the toe."
    assert content_tokens(text) == ["shoe", "separ", "run", "toe"]


def test_phrases_are_learned_from_the_column() -> None:
    kx = KeywordExtractor().fit(TICKETS)
    assert set(kx.phrases.phrasegrams) == {"trail_running", "billing_address"}
    terms = [(t.key, t.surface, t.start, t.end) for t in kx.terms(TICKETS[0])]
    assert terms == [
        ("trail run", "trail running", 3, 16),
        ("shoe", "shoes", 17, 22),
        ("separ", "separated", 23, 32),
        ("toe", "toe", 40, 43),
        ("trail run", "trail running", 45, 58),
        ("rain", "rain", 62, 66),
        ("broke", "broke", 67, 72),
    ]


def test_keywords_are_ranked_by_tfidf_with_every_occurrence() -> None:
    kx = KeywordExtractor().fit(TICKETS)
    top = [(k.term, round(k.score, 4), k.spans) for k in kx.top(TICKETS[0], 3)]
    assert top == [
        ("trail running", 2.1802, ((3, 16), (45, 58))),  # twice here, in 2 of 3 texts: (1 + ln 2) * (ln(4/3) + 1)
        ("separated", 1.6931, ((23, 32),)),  # once, in 1 of 3 texts: ln(4/2) + 1
        ("toe", 1.6931, ((40, 43),)),  # same score: first occurrence first
    ]
    assert [k.term for k in kx.top(TICKETS[2], 2)] == ["billing address", "wrong"]
    # "trail running" is in two of three texts, so it ranks below the words only this text has
    assert [k.term for k in kx.score(TICKETS[1])] == ["great", "outsole", "grips", "wet", "granite", "trail running", "shoe"]


def test_url_parts_and_phrases_across_sentences_are_not_keywords() -> None:
    texts = ["Shop here. Online now at https://shop.example.com/p/1 today.", "Shop here. Online now."]
    kx = KeywordExtractor(phrase_min_count=1).fit(texts)
    terms = [t.surface for t in kx.terms(texts[0])]
    assert terms == ["shop", "online", "today"]  # "here. Online" never pairs up; no "https", "example"


def test_score_before_fit_fails_with_a_hint() -> None:
    with pytest.raises(RuntimeError, match="before fit"):
        KeywordExtractor().score("anything")


class _Rereadable:
    """A column read again on each iteration, counting the passes (as headwater.chunk.table.ColumnTexts does)."""

    def __init__(self, texts: list[str]) -> None:
        self.texts, self.passes = texts, 0

    def __iter__(self):
        self.passes += 1
        yield from self.texts


def test_fitting_on_a_streamed_column_equals_fitting_on_a_list() -> None:
    texts = TICKETS * 3 + ["Trail running again; billing address again.", "and the or but"]
    streamed = _Rereadable(texts)
    a, b = KeywordExtractor().fit(texts), KeywordExtractor().fit(streamed)
    assert streamed.passes == 2  # phrases, then document frequencies: never held as a list
    assert a.phrases.phrasegrams == b.phrases.phrasegrams
    assert a.dictionary.token2id == b.dictionary.token2id and a.dictionary.dfs == b.dictionary.dfs
    assert a.dictionary.num_docs == b.dictionary.num_docs == 11 and a.dictionary.num_pos == b.dictionary.num_pos
    assert all(a.score(t) == b.score(t) for t in texts)
    one_shot = KeywordExtractor().fit(iter(texts))  # a generator is read into a list for its second pass
    assert all(a.score(t) == one_shot.score(t) for t in texts)
