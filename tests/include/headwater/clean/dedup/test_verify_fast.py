"""nd7 (issue 15 speed): the token reading of near-duplicate verification, made faster, decides exactly as before.

``verify_reference.py`` keeps the reading order as it was (main at 2361372), with the module's token readers.
These tests run both on the same inputs and compare every output: ``tokens_of`` (every field of ``Tokens``) and
``words_of`` on generated texts in many scripts with numbers, signs, currencies, e-mails, URLs, handles, masks,
salutations and negators, and on random character soup; ``pair_reasons`` (a pair row tokenized in full, the other
rows read for their words alone) on texts with a shared footer, near copies and changed tokens, under every reason
tuple the pipeline passes; ``columns.folds_case`` (the veto's case rule). The digit shortcuts are also checked on
every code point, with exact values.
``minhash_reference.py`` keeps the MinHash signatures as they were (``_densify`` on int64 positions); the
signatures of generated texts must be bit-identical.
"""

from __future__ import annotations

import random
import re
import sys
from collections import Counter

import numpy as np
import pyarrow as pa
import pytest

import minhash_reference
import verify_reference as old
from headwater.clean.dedup import columns, minhash, verify
from headwater.clean.dedup.matching import LINKAGE_REASONS
from headwater.clean.dedup.verify import NAME_REASONS, REASONS

WORDS = {
    "latin": "the order was shipped late please refund my card thanks for help with this invoice".split(),
    "caps": "The ORDER Was Shipped LATE Please REFUND McDonald O'Neil".split(),
    "accented": "zoë crème café naïve größe señor ação niño être über".split(),
    "cyrillic": "заказ был доставлен вовремя спасибо Ольга".split(),
    "greek": "η παραγγελία έφτασε ευχαριστώ Νίκος".split(),
    "hebrew": "ההזמנה הגיעה בזמן תודה".split(),
    "arabic": "الطلب وصل في الوقت شكرا".split(),
    "devanagari": "मंजूरी दी गई आदेश धन्यवाद".split(),
    "thai": "ได้ รับ สินค้า ขอบคุณ".split(),
    "cjk": "訂單 送達 客服 謝謝 注文".split(),
    "hangul": "주문이 도착했습니다 감사합니다".split(),
    "turkish": "İstanbul sipariş ıslak Iğdır".split(),
}
NEGATORS = ["not", "no", "never", "don't", "don\u2019t", "can't", "cannot", "wont", "without", "non", "un", "NOT", "Never",
            "nicht", "nie", "não", "nao", "ne", "не", "нет", "δεν", "όχι", "לא", "لا", "लم", "नहीं", "ไม่", "안", "inte", "ei", "n't"]
NUMBERS = ["10", "100", "1,000", "1 000", "1'000", "1\u00a0000", "1\u202f000", "1\u2019000", "-2", "+2", "\u22122", "$10", "$ 10", "£100",
           "€5", "¥300", "₹20", "$+5", "$-5", "-1,250.00", "2025-03-04", "04/03/2025", "10:30", "v1.2.3", "0.5", ".5", "5.",
           "TCK-10443", "tck-10444", "Xy7Kp2Qa", "xY7kP2qA", "1, 2, 3", "1; 2", "1 :2", "²", "x²", "٣٤", "३", "１２", "①", "ⅷ",
           "Ref:TCK-1", "Ref: TCK-1", "A+", "AB-", "B\u2212", "O+", "a+", "ABCD+", "C++", "5mg", "5 mg", "2 tablets", "20 tablets", "1e5",
           "12_34", "#42", "No. 7", "3rd", "1,2", "1,23", "12,345,678", "007"]
IDENTIFIERS = ["ada@x.org", "a.b+c@mail.example.com", "https://x.org/o?i=1.", "www.example.com/p", "@handle", "ftp://h.net/x",
               "@ada,", "x@y", "mailto:ann@ex.co", "(www.x.org)", "http://x.org/a'b", "user@@x.org", "@@twice"]
MASKS = ["[EMAIL]", "[PHONE]", "[URL]", "[email]", "[Phone]", "[url]", "not[EMAIL]n't", "[EMAIL]'t", "x[PHONE]y", "[[EMAIL]]", "[EMAIL"]
SALUTATIONS = ["Dear Anna,", "Hi Omar", "hello Mr. Smith", "Dear Dr. Ada", "attn: Ms Lee", "Hey   Bob", "dear mr", "HI 12",
               "Attention:Ölaf", "hi, dr.", "Dear Mrs.\nJones", "this hi there"]
SEPARATORS = [" ", " ", " ", ", ", ". ", "! ", "? ", "; ", ":", " (", ") ", "'", "\u2019", "-", "/", "\n", "  ", "\t", '"', "…", "\u00a0", ""]
FOOTERS = [
    " -- This e-mail and any attachments are confidential and may be privileged; if you are not the intended recipient delete it.",
    " Sent from my phone. Please consider the environment before printing this e-mail, thank you very much indeed.",
]
EMOJI = ["👍", "👍🏽", "👍🏿", "👨\u200d👩\u200d👧", "👨\u200d👩\u200d👦", "🇩🇪", "🇦🇹", "1️⃣", "2\ufe0f\u20e3", "❤", "❤️", "©", "™",
         "🙏🙏", "😡", "🏳️\u200d🌈", "👍\u200d", "\U0001f3fd", "🇩", "x\u20e3"]  # nd9: emoji sequences, and broken pieces of them
ADDRESSES = ["100 Main Street SE", "100 Main Street", "1200 K Street NW", "1200 SW 45th St", "5 Main St. S.E.", "9 Elm Road Southeast",
             "9 Elm Rd south-east", "9 ELM ROAD NORTH WEST", "5 Main Street NE", "1200 NE 45th St", "L'AVENUE NE SERA PLUS",
             "LA PLACE SE TROUVE", "Street NW", "12 SE", "street sw", "St.,SE", "the north east"]
SOUP = ("abcxyzABCXYZ éüßçñ İı ΩΣωσ жЖя שלום مرحبا नहीं ि ् ไม่ 한국 中文 0123456789 ²³¹ ① ٣ ३ １ ⅷ "
        "'\u2019 @ . , : ; / - + \u2212 $ £ € ¥ ₹ [ ] ( ) _ # ! ? \n \t \u00a0 \u202f \u0301 \u0308 EMAIL PHONE URL www. :// n't "
        "👍 \U0001f3fd \u200d 👨 👩 🇩 🇪 \ufe0f \u20e3 ❤ © Street St. SE NW S.E. N. Southeast north EAST NE")


def _piece(rng: random.Random) -> str:
    kind = rng.choices(["word", "negator", "number", "identifier", "mask", "salutation", "emoji", "address"], [12, 2, 3, 1, 1, 1, 1, 1])[0]
    if kind == "word":
        return rng.choice(WORDS[rng.choice(list(WORDS))])
    return rng.choice({"negator": NEGATORS, "number": NUMBERS, "identifier": IDENTIFIERS, "mask": MASKS, "salutation": SALUTATIONS,
                       "emoji": EMOJI, "address": ADDRESSES}[kind])


def generated_text(rng: random.Random) -> str | None:
    """A text of 0-40 pieces joined by spaces and punctuation; sometimes upper- or title-cased, with a footer, None or blank."""
    roll = rng.random()
    if roll < 0.02:
        return None
    if roll < 0.04:
        return rng.choice(["", " ", "\n", "...", "[EMAIL]"])
    text = "".join(_piece(rng) + rng.choice(SEPARATORS) for _ in range(rng.randint(1, 40)))
    if rng.random() < 0.1:
        text = text.upper()
    elif rng.random() < 0.1:
        text = text.title()
    if rng.random() < 0.15:
        text += rng.choice(FOOTERS)
    return text


def soup_text(rng: random.Random) -> str:
    """Random characters and character runs of ``SOUP`` (letters of many scripts, combining marks, digits that
    are and are not decimal, apostrophes, address and mask parts, signs, currencies, spaces)."""
    parts = SOUP.split(" ") + [" "] * 10
    return "".join(rng.choice(parts) for _ in range(rng.randint(0, 60)))


def _texts(seed: int, n: int) -> list[str | None]:
    rng = random.Random(seed)
    return [generated_text(rng) if k % 4 else soup_text(rng) for k in range(n)]


@pytest.mark.parametrize("seed", range(4))
def test_tokens_of_equals_the_reference(seed: int) -> None:
    texts = _texts(seed, 1500)
    for text in texts:
        assert verify.tokens_of(text) == old.tokens_of(text), text
        assert verify.words_of(text) == old.tokens_of(text).words, text
    # the inputs are varied: each token class is read from some of them
    tokens = [old.tokens_of(t) for t in texts]
    assert all(sum(bool(getattr(t, field)) for t in tokens) >= 20
               for field in ("negators", "identifiers", "numbers", "addressees", "masks", "words", "spelled", "emoji", "quadrants"))


@pytest.mark.parametrize("text", [
    None, "", "[EMAIL]", "not[EMAIL]n't", "[EMAIL]'t is", "do[email]n't", "Dear Dr. Ada, we can't ship order A-12 (1,200 units) to ada@x.org",
    "x² and ①", "order ٣٤ ３", "AB- and O+ donors", "B\u2212 only", "$+5 vs $5 vs +5", "1 000 000 and 1\u202f000", "Zoë's crème",
    "İSTANBUL ıslak", "ǅemal ﬁne", "मंजूरी नहीं दी", "ไม่ ได้", "\u2212\u2212 5", "email me at [EMAIL] or [PHONE] please",
    "[PHONE] [phone] [Phone]", "no\u0301t a negator", "n't", "'tis o'neil's", "www.x.org/o?i=1. https://a.b/c), @h!",
    "Family trip 👨\u200d👩\u200d👦", "👍🏽👍🏿", "🇩🇪🇦🇹🇩", "1️⃣ 2\u20e3 ❤️ ❤", "at 100 Main Street SE", "1200 NE 45th St and 1200 SW 45th St",
    "5 Main St. S.E., Springfield", "9 Elm Road Northwest", "LA GRANDE AVENUE NE SERA PLUS FERMÉE", "MAIN STREET SOUTHEAST",
])
def test_tokens_of_equals_the_reference_on_edge_texts(text: str | None) -> None:
    assert verify.tokens_of(text) == old.tokens_of(text)
    assert verify.words_of(text) == old.tokens_of(text).words


def test_the_digit_test_of_numbers_on_every_digit_that_is_not_decimal() -> None:
    # ``_numbers`` tests ``\d`` (decimal digits) where nd7's reference tested ``str.isdigit`` (also superscripts, circled
    # digits, ...): a text whose only digits are such characters has no number, only its signed codes, as read in full;
    # after a decimal digit such a character is part of that number (``1²``)
    others = [chr(cp) for cp in range(sys.maxunicode + 1) if chr(cp).isdigit() and not re.match(r"\d", chr(cp))]
    assert len(others) > 100 and "²" in others and "①" in others
    for ch in others:
        assert verify._numbers(ch) == verify._numbers(f"order {ch}") == Counter(), repr(ch)
        assert verify._numbers(f"A+ {ch}{ch},{ch} -{ch} ${ch}") == Counter({"A+": 1}), repr(ch)
        assert verify._numbers(f"x{ch}y 1{ch}") == Counter({f"1{ch}": 1}), repr(ch)


def test_has_digit_is_isdigit_on_every_code_point() -> None:
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        assert columns._has_digit(ch) == ch.isdigit(), hex(cp)
        assert columns._has_digit("abc" + ch + "é") == ch.isdigit(), hex(cp)


def test_ascii_words_equal_the_unicode_pattern_on_every_ascii_character() -> None:
    rng = random.Random(5)
    alphabet = [chr(cp) for cp in range(128)]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert verify._found(text) == verify._WORD.findall(text), text


def _pairs(seed: int) -> tuple[dict[int, str | None], list[int], list[int]]:
    """Texts (some sharing a footer, near copies of each other) and candidate pairs over part of them."""
    rng = random.Random(seed)
    base = _texts(seed + 100, 300)
    texts: dict[int, str | None] = {}
    for k, text in enumerate(base):
        texts[2 * k] = text
        variant = text or ""
        edit = rng.randrange(8)
        words = variant.split(" ")
        if edit == 0 and words:  # a word substituted
            words[rng.randrange(len(words))] = rng.choice(WORDS["latin"])
        elif edit == 1:  # a negator added
            words.insert(rng.randint(0, len(words)), rng.choice(NEGATORS))
        elif edit == 2:  # a number changed or added
            words.append(rng.choice(NUMBERS))
        elif edit == 3:  # a content word added before a footer
            words.insert(0, rng.choice(["damaged", "urgently", "twice"]))
        elif edit == 4:  # case and spacing only
            words = [w.upper() for w in words]
        elif edit == 6:  # an emoji added (nd9)
            words.append(rng.choice(EMOJI))
        elif edit == 7:  # a street address (with or without its quadrant) added (nd9)
            words.append(rng.choice(ADDRESSES))
        texts[2 * k + 1] = " ".join(words)
    rows = list(texts)
    a, b = [], []
    for k in range(len(base)):
        if rng.random() < 0.6:
            a.append(2 * k)
            b.append(2 * k + 1)
    for _ in range(100):  # other pairs, some repeated, some of a row with itself
        i, j = rng.choice(rows), rng.choice(rows)
        a.append(i)
        b.append(j)
    for k in range(40):  # the context rows: in no pair, read for the boilerplate alone
        texts[10_000 + k] = "Note " + rng.choice(WORDS["latin"]) + rng.choice(FOOTERS)
    return texts, a, b


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("reasons", [REASONS, REASONS[:-1], LINKAGE_REASONS, (*LINKAGE_REASONS, *NAME_REASONS), ("addition",)])
def test_pair_reasons_equals_the_reference(seed: int, reasons: tuple[str, ...]) -> None:
    texts, a, b = _pairs(seed)
    got = verify.pair_reasons(texts, a, b, reasons)
    assert got == old.pair_reasons(texts, a, b, reasons)
    if reasons == REASONS:  # the pairs are varied: kept pairs and several veto reasons
        assert None in got and len(set(got) - {None}) >= 4, set(got)


def test_pair_reasons_boilerplate_comes_from_the_rows_in_no_pair_too() -> None:
    # three other texts under one footer make it boilerplate: the pair's added word outside it vetoes
    footer = FOOTERS[0]
    texts = {0: "Shipment arrived." + footer, 1: "Shipment arrived damaged." + footer,
             2: "Invoice paid." + footer, 3: "Meeting moved to the large room." + footer, 4: "Please send the price list." + footer}
    assert verify.pair_reasons(texts, [0], [1]) == old.pair_reasons(texts, [0], [1]) == ["addition"]
    alone = {0: texts[0], 1: texts[1]}
    assert verify.pair_reasons(alone, [0], [1]) == old.pair_reasons(alone, [0], [1]) == [None]


def test_pair_reasons_missing_row_raises_like_the_reference() -> None:
    for fn in (verify.pair_reasons, old.pair_reasons):
        with pytest.raises(KeyError):
            fn({0: "a text"}, [0], [1])
    assert verify.pair_reasons({}, [], []) == old.pair_reasons({}, [], []) == []


SAME_TEXTS = [
    None, "", " ", "[EMAIL]", "[PHONE] 5 Main Street NE", "Call [PHONE] at 5 Main Street NE", "5 Main Street NE", "PHONE NE", "[PHONE]NE",
    "[URL] [URL] not shipped", "email me at [EMAIL] or [PHONE] please", "was hired by Tom", "Anna hired Tom", "Robert Brown II",
    "Jane Doe Jr.", "2 weeks late, not 3", "👍 then 👎", "Is it approved?", "l'avenue NE sera plus", "заказ не доставлен [EMAIL]",
    "x" * 100_000 + " [CARD]", "Dear Dr. Ada, we can't ship order A-12 (1,200 units) to ada@x.org",
]


@pytest.mark.parametrize("reasons", [REASONS, REASONS[:-1], LINKAGE_REASONS, (*LINKAGE_REASONS, *NAME_REASONS), ("addition",),
                                     ("identifier",), ("negation", "voice", "name"), ()])
def test_a_pair_of_one_text_is_decided_as_its_tokens_compared(reasons: tuple[str, ...]) -> None:
    """spnd16: two rows holding one text are decided without tokenizing it (``_same_text_reason``): the same reason as
    ``difference`` of its tokens with themselves, on generated texts and on edge texts (masks, a mask beside ``NE``,
    None, blank, a 100k-character text)."""
    texts = [*_texts(7, 800), *SAME_TEXTS]
    got = [verify._same_text_reason(text, reasons) for text in texts]
    assert got == [verify.difference(verify.tokens_of(t), verify.tokens_of(t), reasons) for t in texts]
    assert got == [old.difference(old.tokens_of(t), old.tokens_of(t), reasons) for t in texts]
    if "identifier" in reasons:  # the masks veto: some do, some do not
        assert 0 < got.count("identifier") < len(got) and set(got) == {None, "identifier"}
    else:
        assert set(got) == {None}


def _pair_reasons_before(texts: dict[int, str | None], a: list[int], b: list[int], reasons: tuple[str, ...] = REASONS) -> list[str | None]:
    """``verify.pair_reasons`` as it was before spnd16: every row of a pair tokenized, each pair compared by its tokens."""
    by_text: dict[str | None, verify.Tokens] = {}
    tokens: dict[int, verify.Tokens] = {}
    for row in dict.fromkeys([*a, *b]):
        text = texts[row]
        got = by_text.get(text)
        if got is None:
            got = by_text[text] = verify.tokens_of(text)
        tokens[row] = got
    if "addition" not in reasons or all(tokens[i].words == tokens[j].words for i, j in zip(a, b)):
        return [verify.difference(tokens[i], tokens[j], reasons) for i, j in zip(a, b)]
    shared = verify.Boilerplate.of([tokens[row].words if row in tokens else verify.words_of(text) for row, text in texts.items()])
    return [verify.difference(tokens[i], tokens[j], reasons, shared.outside(tokens[i].words, tokens[j].words)
                              if tokens[i].words != tokens[j].words else None) for i, j in zip(a, b)]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("mix", ["same_only", "mixed", "same_words_apart"])
@pytest.mark.parametrize("reasons", [REASONS, REASONS[:-1], LINKAGE_REASONS, (*LINKAGE_REASONS, *NAME_REASONS)])
def test_pair_reasons_with_pairs_of_one_text_as_before(seed: int, mix: str, reasons: tuple[str, ...]) -> None:
    """Pairs of two rows holding one text (copies: the bench's near duplicates are all such pairs), alone or among pairs
    of two texts, those differing in their words (the boilerplate branch) or only in case and spacing (equal words)."""
    rng = random.Random(seed)
    base = [*_texts(seed, 300), *SAME_TEXTS]
    texts: dict[int, str | None] = {}
    a, b = [], []
    for k, text in enumerate(base):
        texts[2 * k] = texts[2 * k + 1] = text
        a.append(2 * k)
        b.append(2 * k + 1)
    if mix == "mixed":
        texts.update(_pairs(seed)[0])  # rows 0..: near copies and changed tokens replace some copies
        texts.update({5_000 + k: t for k, t in enumerate(base)})
        a += [rng.choice(list(texts)) for _ in range(200)]
        b += [rng.choice(list(texts)) for _ in range(200)]
    if mix == "same_words_apart":  # two texts, equal words: no boilerplate needed
        texts.update({5_000 + 2 * k + 1: (t or "").upper() + "  " for k, t in enumerate(base)})
        a += [2 * k for k in range(len(base))]
        b += [5_000 + 2 * k + 1 for k in range(len(base))]
    for k in range(40):  # context rows, in no pair
        texts[20_000 + k] = "Note " + rng.choice(WORDS["latin"]) + rng.choice(FOOTERS)
    got = verify.pair_reasons(texts, a, b, reasons)
    assert got == _pair_reasons_before(texts, a, b, reasons)
    assert got == old.pair_reasons(texts, a, b, reasons)
    if "identifier" in reasons:
        assert "identifier" in got and None in got


def test_pair_reasons_of_one_row_with_itself_and_one_pair() -> None:
    texts = {0: "[EMAIL] was shipped", 1: "[EMAIL] was shipped", 2: "was shipped"}
    for a, b in (([0], [0]), ([0], [1]), ([2], [2]), ([0, 2], [1, 2]), ([], [])):
        assert verify.pair_reasons(texts, a, b) == _pair_reasons_before(texts, a, b) == old.pair_reasons(texts, a, b)
    assert verify.pair_reasons(texts, [0, 2], [1, 2]) == ["identifier", None]
    with pytest.raises(KeyError):  # a missing row of a pair of one text raises too
        verify.pair_reasons(texts, [0, 5], [1, 5])


@pytest.mark.parametrize("seed", range(3))
def test_folds_case_equals_the_reference(seed: int) -> None:
    rng = random.Random(seed)
    values = ["Active", "ACTIVE", "active", "McDonald", "mW", "Co", "abc1", "x²", "Straße", "ÉCOLE", "abcd①", "Ann.Lee@Example.com",
              "٣abcd", "abcd ３", "", " ", "İstanbul", "ǅemal"]
    values += [soup_text(rng) for _ in range(2000)] + [t or "" for t in _texts(seed, 500)]
    assert [columns.folds_case(v) for v in values] == [old.folds_case(v) for v in values]


@pytest.mark.parametrize(("num_perm", "k", "block"), [(128, 5, 1024), (64, 3, 100), (100, 5, 37), (128, 8, 4096), (16, 2, 1)])
def test_minhash_signatures_equal_the_reference(num_perm: int, k: int, block: int) -> None:
    rng = random.Random(num_perm + k)
    texts = [t.lower() if t and rng.random() < 0.8 else t for t in _texts(k, 2500)]
    texts += ["", "a", "ab", "abcd", "é", "日本", None, "x" * 5000, "[email]", " "]  # empty, shorter than k, one long
    arr = pa.array(texts, pa.large_string())
    for seed in (1, 7):
        got = minhash.minhash_signatures(arr, num_perm, k, seed, block)
        want = minhash_reference.minhash_signatures(arr, num_perm, k, seed, block)
        assert got.dtype == want.dtype and np.array_equal(got, want)
    assert (got == minhash.EMPTY).all(axis=1).sum() >= 3  # empty texts keep empty rows
    assert (got != minhash.EMPTY).all(axis=1).sum() > 2000  # and the others are dense


@pytest.mark.parametrize("empty_share", [0.0, 0.3, 0.9, 0.999, 1.0])
def test_densify_equals_the_reference(empty_share: float) -> None:
    rng = np.random.default_rng(int(empty_share * 1000))
    sig = rng.integers(0, 2**32 - 1, size=(700, 128), dtype=np.uint32)
    sig[rng.random(sig.shape) < empty_share] = minhash.EMPTY
    sig[::50] = minhash.EMPTY  # blank rows
    for attempts in (1, 3, 64):
        assert np.array_equal(minhash._densify(sig.copy(), 3, attempts), minhash_reference._densify(sig.copy(), 3, attempts))
