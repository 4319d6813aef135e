"""Word-level NLP with NLTK and gensim, offline: tokens, stopwords, stems, phrases, keywords.

No corpus is ever downloaded. Everything here works with what ships inside the
libraries (NLTK's rule-based tokenizers and stemmers, gensim's ``STOPWORDS``);
NLTK data such as the ``stopwords`` corpus is used only when it is already installed.

Keywords are scored separately from being chosen: :meth:`KeywordExtractor.score`
ranks every term of a text by TF-IDF (sublinear TF, smooth IDF) over the fitted column, and callers decide how
many to keep (``top``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from nltk.stem import PorterStemmer, SnowballStemmer
from nltk.tokenize import RegexpTokenizer, TreebankWordTokenizer

from headwater.config.chunking import LANGUAGES, STEMMERS

if TYPE_CHECKING:
    from gensim.corpora import Dictionary
    from gensim.models.phrases import Phrases
    from gensim.models.tfidfmodel import TfidfModel

# Letters/digits with inner apostrophes or hyphens ("don't", "multi-line"). No "_": gensim
# joins phrase parts with "_", so a phrase splits back into exactly the tokens it came from.
WORD_PATTERN = r"[^\W_]+(?:['\u2019\-][^\W_]+)*"
TOKENIZERS = ("treebank", "regexp")
PHRASE_DELIMITER = "_"

_WORDS = RegexpTokenizer(WORD_PATTERN)
_TREEBANK = TreebankWordTokenizer()


def tokenize(text: str, method: str = "treebank") -> list[str]:
    """Word tokens: ``treebank`` (Penn Treebank rules: punctuation and clitics as tokens) or ``regexp`` (words only)."""
    if method == "treebank":
        return _TREEBANK.tokenize(text)
    if method == "regexp":
        return _WORDS.tokenize(text)
    raise ValueError(f"tokenizer {method!r}: expected one of {', '.join(TOKENIZERS)}")


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` (the ``regexp`` tokens), for exact offsets."""
    return list(_WORDS.span_tokenize(text))


# Up to sentence punctuation followed by a space (so "5.5" and "p.100" stay whole), or the line end.
_SENTENCE = re.compile(r"\S.*?(?:[.!?]+[\"'\u201d\u2019)\]]*(?=\s)|$)", re.M)
# URLs, e-mail addresses and masks such as [EMAIL]: their parts ("https", "com") are not keywords.
_NOT_WORDS = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|\[[A-Z_]+\]")


@lru_cache(maxsize=1)
def _punkt():  # noqa: ANN202 - nltk's PunktTokenizer, or None when its data is not installed
    try:
        from nltk.tokenize import PunktTokenizer

        return PunktTokenizer("english")
    except (LookupError, OSError, ImportError):
        return None


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans: NLTK punkt per line when its data is installed, else a punctuation rule.

    A line break always ends a sentence (cleaned text keeps paragraphs and HTML blocks on their own lines).
    """
    punkt = _punkt()
    if punkt is None:
        return [m.span() for m in _SENTENCE.finditer(text)]
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.extend((pos + a, pos + b) for a, b in punkt.span_tokenize(line))
        pos += len(line) + 1
    return spans


def segments(text: str) -> list[tuple[int, int]]:
    """Sentence spans with URLs and e-mail addresses cut out: the stretches where phrases can form."""
    out = []
    for a, b in sentence_spans(text):
        pos = a
        for m in _NOT_WORDS.finditer(text, a, b):
            out.append((pos, m.start()))
            pos = m.end()
        out.append((pos, b))
    return [(a, b) for a, b in out if text[a:b].strip()]


@lru_cache(maxsize=16)
def stopwords(language: str = "english") -> frozenset[str]:
    """gensim's built-in English list, plus NLTK's list for ``language`` when its corpus is installed."""
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r}: expected one of {', '.join(LANGUAGES)}")
    from gensim.parsing.preprocessing import STOPWORDS as GENSIM_STOPWORDS  # gensim (and scipy) load when keywords are needed, not with every chunk task

    words: set[str] = set(GENSIM_STOPWORDS) if language == "english" else set()
    try:
        from nltk.corpus import stopwords as nltk_stopwords

        words |= set(nltk_stopwords.words(language))
    except (LookupError, OSError):
        pass  # corpus not installed and never downloaded: the built-in list is the fallback
    return frozenset(words)


def make_stemmer(name: str = "snowball", language: str = "english") -> Callable[[str], str]:
    """``snowball`` (Porter2 for English, 15 other languages), ``porter`` or ``none`` (lowercase only)."""
    if name == "snowball":
        if language not in LANGUAGES:
            raise ValueError(f"language {language!r}: expected one of {', '.join(LANGUAGES)}")
        stem = SnowballStemmer(language).stem
    elif name == "porter":
        stem = PorterStemmer().stem
    elif name == "none":
        return str.lower
    else:
        raise ValueError(f"stemmer {name!r}: expected one of {', '.join(STEMMERS)}")
    # A column repeats its vocabulary: memoizing the pure-Python stemmer made keyword chunking ~2x faster.
    return lru_cache(maxsize=200_000)(stem)


def content_tokens(text: str, language: str = "english", stemmer: str = "snowball", min_chars: int = 3) -> list[str]:
    """Lowercased, stemmed words of ``text`` without stopwords, numbers and very short words."""
    stop, stem = stopwords(language), make_stemmer(stemmer, language)
    return [stem(w) for w in (t.lower() for t in _WORDS.tokenize(text)) if _is_content(w, stop, min_chars)]


def _is_content(word: str, stop: frozenset[str], min_chars: int) -> bool:
    return len(word) >= min_chars and word not in stop and not word.replace("-", "").isdigit()


@dataclass(frozen=True)
class Term:
    """One occurrence of a unigram or a detected phrase in a text."""

    key: str  # stemmed, space-joined: "trail run" (groups "trail running" and "trail runs")
    surface: str  # as written, lowercased: "trail running"
    start: int
    end: int


@dataclass(frozen=True)
class Keyword:
    term: str  # surface form of the first occurrence
    score: float  # (1 + log tf) * smooth IDF over the fitted texts
    spans: tuple[tuple[int, int], ...]  # every occurrence, in text order


def _sublinear_tf(tf: np.ndarray) -> np.ndarray:
    # 1 + log(tf): a word said ten times is not ten times as telling. gensim passes an array.
    return 1.0 + np.log(tf)


def _smooth_idf(docfreq: float, totaldocs: float) -> float:
    # sklearn's smooth IDF: never 0, so a column of one text (or a term in every text) still ranks by frequency.
    return math.log((1 + totaldocs) / (1 + docfreq)) + 1.0


class KeywordExtractor:
    """Keywords of a text column: gensim ``Phrases`` finds collocations, TF-IDF ranks terms.

    Fit it on the column's texts, then score or pick keywords of any of them. A phrase
    ("trail running") counts as one term; stopwords, numbers and short words never do.
    """

    def __init__(
        self,
        language: str = "english",
        stemmer: str = "snowball",
        phrase_min_count: int = 2,
        phrase_threshold: float = 0.5,
        min_chars: int = 3,
    ) -> None:
        self.stop = stopwords(language)
        self.stem = make_stemmer(stemmer, language)
        self.phrase_min_count = phrase_min_count
        self.phrase_threshold = phrase_threshold  # NPMI, in (-1, 1]: corpus-size independent
        self.min_chars = min_chars
        self.phrases: Phrases | None = None
        self.dictionary: Dictionary | None = None
        self.tfidf: TfidfModel | None = None

    def fit(self, texts: Iterable[str]) -> KeywordExtractor:
        """Fit phrases and IDF on a column's texts; returns ``self``.

        ``texts`` is read twice, in order: once to count words and word pairs (gensim
        ``Phrases``), once to count in how many texts each term occurs (gensim ``Dictionary``),
        since terms merge the phrases found in the first pass. Both gensim classes take any
        iterable and consume it in one pass
        (https://radimrehurek.com/gensim/models/phrases.html, https://radimrehurek.com/gensim/corpora/dictionary.html),
        so a re-iterable that streams a column batch by batch (headwater.chunk.table) fits
        exactly what a list of the same texts fits, in memory of one batch plus the vocabulary.
        A one-shot iterator is read into a list first.
        """
        from gensim.corpora import Dictionary
        from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases
        from gensim.models.tfidfmodel import TfidfModel

        if iter(texts) is texts:  # a one-shot iterator (generator): keep it for the second pass
            texts = list(texts)
        sentences = ([t.lower() for t in _WORDS.tokenize(x[a:b])] for x in texts for a, b in segments(x))
        self.phrases = Phrases(
            sentences,
            min_count=self.phrase_min_count,
            threshold=self.phrase_threshold,
            scoring="npmi",
            delimiter=PHRASE_DELIMITER,
            connector_words=ENGLISH_CONNECTOR_WORDS,
        ).freeze()
        self.dictionary = Dictionary([t.key for t in self.terms(x)] for x in texts)
        self.tfidf = TfidfModel(dictionary=self.dictionary, wlocal=_sublinear_tf, wglobal=_smooth_idf, normalize=False)
        return self

    def terms(self, text: str) -> list[Term]:
        """Content terms of ``text`` in order, detected phrases merged into one term (never across sentences)."""
        out: list[Term] = []
        for a, b in segments(text):
            out.extend(self._segment_terms(text, [(a + s, a + e) for s, e in word_spans(text[a:b])]))
        return out

    def _segment_terms(self, text: str, spans: list[tuple[int, int]]) -> list[Term]:
        words = [text[a:b].lower() for a, b in spans]
        analyzed = self.phrases.analyze_sentence(words) if self.phrases is not None else ((w, None) for w in words)
        out: list[Term] = []
        i = 0
        for token, score in analyzed:
            n = len(token.split(PHRASE_DELIMITER)) if score is not None else 1
            parts = words[i : i + n]
            if n > 1 and _is_content(parts[0], self.stop, self.min_chars) and _is_content(parts[-1], self.stop, self.min_chars):
                key = " ".join(self.stem(p) for p in parts)
                out.append(Term(key, " ".join(parts), spans[i][0], spans[i + n - 1][1]))
            else:  # a single word, or a phrase that starts/ends with a stopword: keep its content words
                for j in range(i, i + n):
                    if _is_content(words[j], self.stop, self.min_chars):
                        out.append(Term(self.stem(words[j]), words[j], *spans[j]))
            i += n
        return out

    def score(self, text: str) -> list[Keyword]:
        """Every term of ``text`` with its TF-IDF score, best first (ties: first occurrence first)."""
        if self.dictionary is None or self.tfidf is None:
            raise RuntimeError("KeywordExtractor.score called before fit(texts)")
        occurrences: dict[str, list[Term]] = {}
        for term in self.terms(text):
            occurrences.setdefault(term.key, []).append(term)
        bow = self.dictionary.doc2bow(list(t.key for ts in occurrences.values() for t in ts))
        weights = {self.dictionary[i]: w for i, w in self.tfidf[bow]}
        ranked = [
            Keyword(ts[0].surface, float(weights[key]), tuple((t.start, t.end) for t in ts))
            for key, ts in occurrences.items()
            if key in weights
        ]
        return sorted(ranked, key=lambda k: (-k.score, k.spans[0][0]))

    def top(self, text: str, k: int) -> list[Keyword]:
        """The ``k`` best keywords of ``text``."""
        return self.score(text)[:k]
