"""Exact-token verification of near-duplicate candidates: the check after MinHash LSH found a pair.

A Jaccard estimate counts shared shingles; it cannot tell ``I would recommend this`` from ``I would
not recommend this`` (0.91), nor two auto-replies that differ only in their ticket number (0.98).
A few tokens carry a record's meaning, so a candidate pair whose texts differ in one of them is two
records, whatever its similarity.

Sources: a candidate from one similarity heuristic confirmed by a second, independent check cuts
false merges (Henzinger 2006, "Finding near-duplicate web pages: a large-scale evaluation of
algorithms", SIGIR '06: shingling candidates confirmed by a second signal). The second check here
compares exact tokens of classes that change a record's meaning, and the words themselves: negation cues (the trigger lists
of NegEx, Chapman et al. 2001, J. Biomed. Inform. 34(5); Wiegand et al. 2010, "A Survey on the Role
of Negation in Sentiment Analysis": *not*, *no*, *never*, *n't*, *without*), and the numbers,
addresses and names that templated messages substitute.

Each text is read once into a few token classes (``tokens_of``); a pair is vetoed (``difference``)
for the first class, in ``REASONS`` order, where the texts differ:

* ``negation``: the texts hold different numbers of negators (``NEGATORS``: English, and the
  separate-word negation cues of 43 other languages, ``NEGATORS_BY_LANGUAGE``; or a word ending in
  ``n't``); ``don't`` and ``do not`` count alike, so a contraction is no difference. A text in no
  listed language (``listed_language``: its function words or its script) whose only difference is
  one or two short words added or removed (``unlisted_negation``) is a ``negation`` too: the word may
  be a negator no list holds (breaker5 #9). ``NE`` in capitals in a street address (``5 Main Street NE``,
  ``1200 NE 45th St``: ``_COMPASS_NE``) is the compass point, read as the word ``northeast``, not French "ne"
  (and compared as a ``quadrant``);
* ``identifier``: each text has an e-mail address, URL or @handle the other lacks, or both hold a
  mask (``[EMAIL]``, ``[PHONE]``, ``[URL]``: headwater.config.text.MASKS) whose hidden values
  cannot be compared (two auto-replies to two masked addresses read alike);
* ``number``: each text has a number the other lacks (a ticket or order number, an amount, a date,
  a version, a dose, a code: ``TCK-10443``/``TCK-10444``, ``$10``/``$100``, ``2.3.1``/``2.3.2``,
  ``2 tablets``/``20 tablets``). A number is read as written (``_NUMBER``), one token with its sign,
  its currency symbol and its parts joined by ``. , : / -``, letters kept with their case, so a
  reordered or extended number is another one (``2025-03-04``/``2025-04-03``, ``0.5``/``5``,
  ``-1,250.00``/``1,250.00``, ``v1.2.3``/``v1.3.2``, ``$100``/``£100``, ``Xy7Kp2Qa``/``xY7kP2qA``:
  breaker4 #1, #16); a leading ``+``, thousands separators (``1,000``/``1 000``/``1000``), spaces
  after a list's commas and the punctuation around a number (``Ref:TCK-1``/``Ref: TCK-1``) are no difference.
  A comparison sign right before a number is part of it (``_COMPARE``: ``> 5.0``/``< 5.0``, ``≥ 7.0``/``≤ 7.0``,
  ``5.0``/``= 5.0``; breaker8 #13). The numbers both texts hold are compared in order too (``_reordered``): a swap
  (``2 weeks late, not 3``/``3 weeks late, not 2``, ``Lions 3 Tigers 1``/``Lions 1 Tigers 3``; breaker8 #5) vetoes;
* ``emoji``: the texts hold different sets of emoji (``_emoji``: a grapheme cluster with an emoji character, so a
  ZWJ sequence, a skin tone, a flag, a keycap is one emoji): ``Family trip 👨‍👩‍👧``/``Family trip 👨‍👩‍👦``,
  ``👍🏽``/``👍🏿``, ``🇩🇪``/``🇦🇹`` (breaker7 #7). A changed emoji is a changed text, like a changed number; the byte
  shingles cannot see it: a ZWJ sequence of 18 bytes whose last person changes shares most of its 5-byte shingles
  (Jaccard 0.84 alone, 0.87 after two words), while two skin tones of one 8-byte emoji share 3 of 5 (0.6: kept
  apart by the threshold alone, so both are now kept apart by this one rule). An emoji only added or removed
  vetoes too (``Order arrived``/``Order arrived 😡``: an emoji can say what a negator says, and a false merge
  costs more than a missed duplicate: ``Great service!``/``Great service! 👍`` stay two records); a repeated emoji
  (``🙏``/``🙏🙏``) and the presentation selector (``❤``/``❤️``) are no difference; the same emoji in another order
  (``support 👍 armrests 👎``/``support 👎 armrests 👍``, flags swapped: ``_reordered``, breaker8 #5) veto;
* ``question``: of two texts of at most ``QUESTION_MAX_WORDS`` words each, one ends in a question mark and the other
  does not (``_question``: ``has been approved.``/``has been approved?``, breaker8 #6; a closing quote, bracket or emoji
  after the mark counts as its end): a statement and a question say two things. ``!``/``.`` (both statements), ``?!``/``?``
  and a changed mark in a longer text are no difference;
* ``quadrant``: the texts' street quadrants differ as multisets (``_quadrants``: ``SE``, ``NW``, ``SW``, ``NE`` as
  ``_COMPASS_NE`` reads it, ``S.E.``, ``Southeast`` after a street word or between a house number and one), one held
  by one text only too (``100 Main Street SE``/``100 Main Street``: in a quadrant city, Washington DC or Atlanta,
  two places; breaker7 #16), as a generational suffix on one name only is another person (``name``);
* ``addressee``: each text greets a different name (``Dear Anna``/``Dear Omar``; the word after
  *dear*, *hi*, *hello*, *hey* or *attn*, past a title such as *Mr.*);
* ``unit``: a unit word is substituted, added or removed (``5 mg``/``5 g``; ``UNITS``);
* ``substitution``: a word is replaced by another that is not a spelling variant of it (``left``/``right``
  knee, ``increased``/``decreased``, ``Jon``/``Joan``, ``penicillin``/``amoxicillin``, ``Monday``/``Tuesday``), also
  where one text drops a content word and the other adds another one elsewhere (``_exchanged``: ``moved to Monday, room
  4``/``moved to room 4, Tuesday``, which difflib aligns as two additions);
* ``word_order``: the words both texts hold are in another order (``_moved``: ``flight from Paris to Rome``/``flight
  from Rome to Paris``, ``Alice paid Bob``/``Bob paid Alice``, ``from savings to checking``/``from checking to savings``;
  nd11, breaker8 #5), two texts of the same words in another order whatever difflib pairs (``Bob was paid by
  Alice``/``Alice was paid by Bob``), or the weekday names (``WEEKDAYS``) both hold are (``from Monday to Tuesday``/``from
  Tuesday to Monday``): a swap changes who did what to whom, and a re-export does not reorder a text's words. A moved
  phrase or time word (``Meeting moved to Monday, room 4.``/``Meeting moved to room 4, Monday.``, ``Please call me back
  tomorrow``/``Tomorrow please call me back``: breaker10 F14, counted as ``negation`` and ``substitution`` before) may
  say the same, but no rule here tells it from a swap that does not, so it vetoes too (a missed duplicate). A negator
  moved among the same words (``is not allergic to penicillin but to aspirin``/``is allergic to penicillin but not to
  aspirin``) is a ``negation`` (``_negator_moved``).
* ``voice``: one text says in the passive what the other says in the active (``_voice``: ``Anna hired
  Tom``/``Anna was hired by Tom``, ``the customer refunded the store``/``the customer was refunded by the store``; breaker11
  N1, merged before at Jaccard 0.84-0.87; and without an agent since nd17: ``Anna paid on Friday``/``Anna was paid on
  Friday``, ``The supplier called twice``/``The supplier was called twice``): a participle one text holds after a form of
  *be* or *get* (French ``été``, Spanish ``sido``, ...; Dutch ``werd``, German ``wurde``, ...: ``_passive_forms``) the
  other uses in the active (``_active``). The agent and the patient trade places, or the subject turns from the doer into
  the one done to: opposite meanings. With an agent (``_passives``): ``by`` after the participle (French ``été ... par``,
  Spanish ``sido ... por``, an adverb in -ment/-mente or one word before the agent allowed there). Up to three adverbs may follow the auxiliary (``was twice paid by``,
  ``was also quickly hired by``) and up to four words precede ``by`` (a phrasal verb's particle: ``was picked up by``,
  ``got ripped off by``; ``was hired last year by``; nd16); Dutch ``werd door Piet betaald`` and German ``wurde von Tom
  bezahlt`` (the agent, then the participle; or ``werd betaald door Piet``) are read in a text that reads as Dutch or German
  (nd16). ``by`` before a time phrase (``by Friday``, ``by the end of May``, ``by 5pm``: ``_agent_after``) names no agent, so
  ``Anna paid back by Friday`` is an active (nd17). An ergative verb (``The order shipped on Monday``/``The order was shipped
  on Monday``) says the same in both voices, but no rule tells it from ``Anna paid``/``Anna was paid``, so it vetoes too (a
  missed duplicate, nd17). A passive on both sides (``The order was shipped``/``Order was shipped``) or an agent only
  added (``was shipped by DHL``/``was shipped``, ``wurde bezahlt``/``wurde von Tom bezahlt``) is no difference, and nor is
  a participle without its auxiliary before an agent's ``by`` past particles, adverbs and time words (``Anna, picked up last week by
  Tom``); past a noun it is an active (``Tom picked up Ann by the station``: ``by`` = near).
* ``addition``: outside a **boilerplate** both texts share, one holds a content word the other lacks
  (``Shipment arrived.``/``Shipment arrived damaged.``, ``Please call me back.``/``Please call me back about
  the broken pump ...``, each above the same 480-character e-mail footer: breaker3 #4). A boilerplate
  (``Boilerplate``) is a run of at least ``BOILERPLATE_MIN_WORDS`` words that opens or closes at least
  ``BOILERPLATE_MIN_TEXTS`` different texts of the column which go on to say different things (word
  sets with Jaccard below ``BOILERPLATE_MAX_JACCARD``): its shingles are what make such a pair's
  Jaccard estimate high, so they carry no evidence that the two messages are one. The rest is
  compared word by word; a function word (``STOP_WORDS``) or a spelling variant is no addition, so
  copies that differ in case, spacing, punctuation, an article or a typo still merge. The column's
  texts are the candidates' plus an even sample (headwater.clean.dedup.matching.BOILERPLATE_SAMPLE).

The word checks (``negation`` by prefix, ``number`` by number word, ``unit``, ``substitution``, ``word_order``) align
the two texts' word sequences (letters only, lower-cased, accents and apostrophes removed, negators
left out: they are counted) with difflib's ``SequenceMatcher`` (Ratcliff/Obershelp longest matching
blocks) and read each differing block: a block whose letters are equal once spaces are dropped
(``e-mail``/``email``) is no difference; a replaced word is a difference unless it is a **spelling
variant** (``spelling_variant``: Damerau-Levenshtein distance 1, i.e. one insertion, deletion,
substitution or transposition of adjacent letters, on two words of at least ``VARIANT_MIN_LETTERS``
letters: ``recieve``/``receive``, ``colour``/``color``; Damerau 1964, "A technique for computer
detection and correction of spelling errors", CACM 7(3); Levenshtein 1966), and, for a word either text writes
with a capital (``Tokens.capitals``: a given name, a surname, a place), only when that one edit keeps its first and
last letters and substitutes no letter (``capitalised_variant``: ``Micheal``/``Michael``, ``Philip``/``Phillip`` are
one name; ``Maria``/``Mario``, ``Daniel``/``Daniela``, ``Andrea``/``Andreas``, ``Marco``/``Marko`` two people:
breaker13 F7, merged before). A replaced word counts as
``negation`` when one word is the other with a negating prefix (``able``/``unable``,
``possible``/``impossible``, ``agree``/``disagree``: ``NEGATING_PREFIXES``), as ``number`` when
either is a number word (``NUMBER_WORDS``), as ``unit`` when either is a unit. A word only added or
removed is no difference unless it is a number word (``five``/``five hundred``), a unit or a
negator (``non``, ``un`` written apart; *no*, *never*, *without* count under ``negation`` above).

``identifier``, ``number`` and ``addressee`` veto a *change* only (a token on each side that the
other lacks, counted as multisets): a text that only adds some (a re-sent message with a signature
line and a phone number) stays a near copy (unless it is under a boilerplate:
``addition``). A negator added or removed always vetoes.

Record linkage compares names (``name``, its own check: ``NAME_REASONS``) more strictly: the name
words of two values must pair up (order free) as equal or a **name variant** (``name_variant``): one
added or removed ``h`` or ``w`` (Soundex codes them as silent: Russell 1918, US patent 1,261,167;
Knuth, TAOCP vol. 3, chapter 6 introduction) or a doubled letter (``John``/``Jon``, ``Hanna``/``Hannah``,
``Philip``/``Phillip``), or Damerau-Levenshtein 1 on two names of at least ``VARIANT_MIN_LETTERS``
letters that keeps the first and last letters (``Jonathon``/``Jonathan``, ``Smyth``/``Smith``):
the last letter is where given names mark gender and diminutives (``Maria``/``Mario``,
``Daniel``/``Daniela``), and a short name has no room for a typo (``Jon``/``Joan``). A name only
added (a middle name) is no difference; two different generational suffixes (``GENERATIONS``:
``Robert Brown II``/``III``, ``Jr.``/``Sr.``) are two people, though ``ii``/``iii`` is one doubled letter (breaker3 #17),
and so is a suffix on one name only (``Jane Doe``/``Jane Doe Jr.``, breaker5 #14). The suffixes are compared as
a multiset of generations: ``II``/``2nd`` and ``Jr``/``Junior`` are one, a surname ``Senior`` on both names is no
difference, a son's ``Jr.`` after it is (``Peter Senior``/``Peter Senior Jr.``; breaker6 #14).

Limits: a boilerplate needs three different texts of the column holding it (two rows alone that share
a footer look like one message re-sent), and an addition outside it vetoes however long the message
(a re-sent long mail with a signature line under a shared footer stays two records: a missed duplicate);
negators written as separate words only (a negating prefix or suffix, Czech ``neschválil``, Turkish
``onaylamadı``, is a changed word: ``substitution``), and a negator of an unlisted language missed when the
text reads as a listed one; English number words, units and function words only; a substituted word's synonym
(``big``/``large``) vetoes too (a missed duplicate, never a false merge); two long lower-case words one edit
apart that are different words (``maria``/``mario`` in a text written without capitals) pass as a spelling variant,
and a substituted letter or a changed last letter in a capitalised word vetoes also where it is a typo or an ordinary
word opening a sentence (``Licence``/``License``, ``Items``/``Item``: a missed duplicate);
an identifier without a digit that is not an address (``TCK-A``/``TCK-B``) is a substitution only
when its letters change; a typo inside a number or an address is a different value; a quadrant written two ways
(``SE``/``Southeast``) is a substituted word, and a lone direction (``100 N Main St``/``100 Main St``), a quadrant in
lower case (``se`` is a Spanish, Portuguese and Czech word) or away from a street word is not read as a quadrant; a
symbol that is Extended_Pictographic though seldom drawn as an emoji (``©``, ``™``) added to one text vetoes (missed duplicates);
a comparison written in words (``above 5.0``/``below 5.0`` is a substitution) or as an HTML entity (``&gt;``) is not a sign, and
``=``, ``~`` before a number are read as signs wherever they stand (``x=5``/``x 5`` vetoes); two sentences of one text moved
about (``Monday: call; Tuesday: ship`` / ``Tuesday: ship; Monday: call``) veto as a reordering (``word_order``), and so does any reordering of
the words two texts share (``Thanks, Bob. The invoice is attached.``/``The invoice is attached. Thanks, Bob.``, ``from Rome to
Paris``/``to Paris from Rome``: a missed duplicate); a final question mark is read in texts of at most ``QUESTION_MAX_WORDS``
words only, so a long text's changed closing question still merges; a passive is read only with its agent at most four
words after its participle (``was picked up from the old station by Ann`` is none) and its participle at most three
adverbs after the auxiliary (``was very quickly and quietly hired by`` is none), a German separable verb split in the
active (``holte Tom ab``/``wurde von Tom abgeholt``) is no use of the participle (the word checks see a substitution), a
headline's passive without its auxiliary (``Payment received by Friday``/``Payment was received by Friday``, ``Order
confirmed``/``Order is confirmed``) and an ergative verb (``The order shipped``/``The order was shipped``) read as an
active against a passive (a missed duplicate), a Dutch passive with ``is``/``was``/``zijn`` and no agent (``Het pakket is
verzonden``) is not read, and an active paraphrase of a passive (``Tom hired Anna``/``Anna was hired by Tom``) vetoes (a
missed duplicate).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Container
from dataclasses import dataclass
from difflib import SequenceMatcher

import regex
from rapidfuzz.distance import OSA

from headwater.config.text import MASKS

REASONS = ("negation", "identifier", "number", "emoji", "question", "quadrant", "addressee", "unit", "substitution", "word_order", "voice", "addition")  # the order the checks run in; a pair counts under its first
NAME_REASONS = ("name",)  # record linkage's check on name fields
WORD_REASONS = ("negation", "number", "unit", "substitution", "word_order")  # what the word alignment can find, in that order
# English negators (Wiegand et al. 2010's lexical negation cues), plus common spellings without the apostrophe.
ENGLISH_NEGATORS = frozenset(
    "not no never none nobody nothing nowhere neither nor without cannot nope "
    "dont doesnt didnt isnt arent wasnt werent cant couldnt wont wouldnt shouldnt havent hasnt hadnt aint mustnt neednt".split()
)
# a negator's positive stem, so that "don't" and "do not" read as the same words
NEGATOR_STEMS = {"cannot": "can", "can't": "can", "cant": "can", "won't": "will", "wont": "will", "shan't": "shall", "ain't": "is",
                 "dont": "do", "doesnt": "does", "didnt": "did", "isnt": "is", "arent": "are", "wasnt": "was", "werent": "were",
                 "couldnt": "could", "wouldnt": "would", "shouldnt": "should", "havent": "have", "hasnt": "has", "hadnt": "had",
                 "mustnt": "must", "neednt": "need"}
# Negators of other languages, written as separate words: the negative particles, adverbs, pronouns and
# determiners that Universal Dependencies v2 annotates with the feature Polarity=Neg (Nivre et al. 2020,
# "Universal Dependencies v2", LREC; universaldependencies.org, feature Polarity: German "nicht", Czech "ne",
# ...), compiled per language (ISO 639-1) from the language's negation cues. Every text is checked against
# all of them (its language is not needed for that); a word counts lower-cased, and also without accents
# (``_plain``: "nao" is "não"). Left out where the word is a common other word in a language listed here
# (Finnish "en"/"et": French "et" = and; Romanian "mai"; Basque "ez": Hungarian "ez" = this; Swahili "si":
# Spanish/Italian "si"; Irish "níl": English "nil"; Latvian "nav", Estonian "pole"/"mitte": English "nav", "pole",
# German "Mitte": a text of those languages is unlisted, so ``unlisted_negation`` sees them added); negation written into the verb (Czech "neschválil",
# Turkish "onaylamadı", Japanese "しませんでした") changes a word, which the ``substitution`` check sees.
NEGATORS_BY_LANGUAGE = {
    "de": "nicht nichts nie niemals niemand kein keine keinen keinem keiner keines weder",
    "nl": "niet niets nooit niemand geen",
    "fr": "ne pas jamais rien aucun aucune ni",
    "es": "no nunca jamás nada nadie ningún ninguno ninguna ni tampoco",
    "it": "non niente nulla nessuno nessuna né neanche nemmeno neppure",
    "pt": "não nunca nada nenhum nenhuma ninguém nem jamais",
    "ro": "nu nici niciodată nimic nimeni niciun nicio",
    "pl": "nie nigdy nic nikt żaden żadna żadne ani",
    "cs": "ne nie nikdy nic nikdo nikto žádný žádná žádné žiadny ani",
    "sv": "inte icke ej aldrig ingen inget inga ingenting",
    "da": "ikke aldrig ingen intet ingenting",
    "no": "ikke ikkje aldri ingen intet ingenting",
    "fi": "ei eivät emme ette eikä",
    "hu": "nem ne sem soha semmi senki nincs nincsen",
    "tr": "değil yok hiç asla",
    "is": "ekki aldrei enginn engin ekkert",
    "lv": "nekad nekas neviens",
    "lt": "nėra niekada niekas",
    "sq": "nuk mos",
    "cy": "ddim nid",
    "af": "nooit geen niks",
    "id": "tidak bukan belum jangan tiada",  # and Malay
    "tl": "hindi wala huwag",
    "vi": "không chẳng chưa đừng",
    "ru": "не нет ни никогда ничего никто нельзя",
    "uk": "ні ніколи нічого ніхто немає",
    "bg": "няма никога нищо никой",
    "sr": "није нису нема ништа никад nije nisu nema ništa nikad nikada nitko niko",  # and Croatian, Bosnian (Latin script)
    "el": "δεν μην μη όχι ποτέ τίποτα κανείς κανένας",
    "he": "לא ולא שלא אין ואין אינו אינה אינם אינן",
    "yi": "נישט ניט קיין",
    "ar": "لا لم لن ليس ليست غير ولا ولم ولن",
    "fa": "نه نیست هرگز",
    "ur": "نہیں نہ مت",
    "hi": "नहीं न ना मत",
    "mr": "नाही नको",
    "ne": "छैन होइन",
    "bn": "না নয় নি",
    "ko": "안 못 아니",
    "ka": "არ ვერ",
    "hy": "ոչ չէ",
    "ta": "இல்லை",
    "th": "ไม่",
}
# Every negator the ``negation`` check counts: English and ``NEGATORS_BY_LANGUAGE``, each also without its accents.
NEGATORS = ENGLISH_NEGATORS | {
    form for words in NEGATORS_BY_LANGUAGE.values() for w in words.split()
    for form in (w, "".join(ch for ch in unicodedata.normalize("NFKD", w) if not unicodedata.combining(ch)))
}
# The languages whose negators are listed, told by frequent function words of theirs (a subset of each
# language's Snowball stop word list, snowballstem.org, or for the languages Snowball lacks its most frequent
# function words), accents dropped as ``_plain`` drops them; words shared with an unlisted language's frequent
# words ("de", "la", "na", "in", one-letter words) are left out. A text is in a listed language
# (``listed_language``) when at least ``LANGUAGE_MIN_WORDS`` of its words, and at least one in
# ``LANGUAGE_MIN_SHARE``, are function words of one of them, or when its letters are of a script whose
# languages' negators are all listed (``LISTED_SCRIPTS``).
LANGUAGE_WORDS = {
    "en": "the and of to is was with for that this are were have has from by",
    "de": "der die das und ist mit auf fur dem den des ein eine einen wurde hat sich auch im zu von",
    "nl": "het een van en zijn werd wordt met voor op dat door bij naar ook",
    "fr": "le les des une du et est dans pour que qui avec sur au aux ete",
    "es": "el los las del una es por con para que se fue al esta",
    "it": "il gli della del di che una per con sono stato anche nel alla",
    "pt": "os um uma do da dos das em com para que foi pelo pela ao",
    "ro": "si sa cu pe este din care un fost",
    "pl": "sie jest oraz przez dla od ze do po zostal",
    "cs": "je se ze do od pro jako byl bylo jsou sa aby",
    "sv": "och att det som en ett av for med till pa ar var har den",
    "da": "og at det som en et af til med pa er var har den blev",
    "no": "og at det som en et av til med pa er var har den ble",
    "fi": "ja on oli se etta kun tai mutta han ovat myos",
    "hu": "az es hogy egy van volt ez mint meg is",
    "tr": "ve bir bu da de ile icin cok gibi olarak",
    "id": "dan yang di ke dari ini itu untuk dengan adalah",
    "tl": "ang ng sa mga ay at",
    "vi": "va cua la co cac nhung duoc cho trong nay",
}
LANGUAGE_MIN_WORDS = 2
LANGUAGE_MIN_SHARE = 0.1
# scripts (the first word of a letter's Unicode name) whose common languages' negators are listed above
LISTED_SCRIPTS = frozenset({"CYRILLIC", "GREEK", "HEBREW", "ARABIC", "DEVANAGARI", "HANGUL"})
# An unlisted language's negator is one short word: one or two words of at most this many letters, only added
# or removed in an otherwise equal text, veto a pair whose language has no negator list (``unlisted_negation``)
SHORT_WORD_LETTERS = 5
SHORT_WORD_MIN_LETTERS = 2  # ... and at least this many: a lone letter is an initial or a code's letter part ("w12")
NEGATING_PREFIXES = ("un", "in", "im", "il", "ir", "dis", "non", "a")  # able/unable, legal/illegal, typical/atypical
NEGATING_WORDS = frozenset({"non", "un"})  # a negating prefix written apart ("non compliant")
NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million billion trillion "
    "dozen dozens hundreds thousands millions billions half quarter twice thrice once double triple first second third "
    "fourth fifth sixth seventh eighth ninth tenth".split()
)
# units of measure and currency codes (SI symbols and common English abbreviations and names)
UNITS = frozenset(
    "mg g kg mcg ug µg ng t lb lbs oz ml l dl cl mm cm km m ft yd mi in inch inches mph kph kmh ms s sec secs min mins h hr hrs "
    "kb mb gb tb kwh kw w v mah iu mmol mol usd eur gbp jpy chf cny inr aud cad "
    "milligram milligrams gram grams kilogram kilograms microgram micrograms tonne tonnes pound pounds ounce ounces "
    "millilitre millilitres milliliter milliliters litre litres liter liters millimetre millimetres millimeter millimeters "
    "centimetre centimetres centimeter centimeters metre metres meter meters kilometre kilometres kilometer kilometers "
    "foot feet yard yards mile miles second seconds minute minutes hour hours day days week weeks month months year years "
    "percent dollar dollars euro euros cent cents".split()
)
# units only counted when substituted: as an added word they are too often plain English
AMBIGUOUS_UNITS = frozenset("t l m in s h w v second seconds".split())
VARIANT_MIN_LETTERS = 5  # both words this long or longer for a one-edit spelling variant
# generational suffixes of personal names, each read as its generation: the Jr./Sr. and Roman-numeral forms
# (e.g. Chicago Manual of Style 6.43), French "fils"/"père" (Alexandre Dumas fils/père) and the Portuguese
# agnomes "Filho" (son), "Neto" (grandson), "Sobrinho" (nephew), "Júnior" (Portuguese name: agnome)
# and the ordinals written for the Roman numerals (``Mary Major 2nd`` is ``Mary Major II``)
GENERATIONS = {"jr": "jr", "junior": "jr", "fils": "jr", "filho": "jr", "sr": "sr", "senior": "sr", "pere": "sr",
               "neto": "neto", "sobrinho": "sobrinho", "ii": "ii", "iii": "iii", "iv": "iv", "v": "v", "vi": "vi",
               "2nd": "ii", "3rd": "iii", "4th": "iv", "5th": "v", "6th": "vi"}
# suffixes that are also a middle or last initial ("Anna V"): a generation only when both names hold one
INITIAL_GENERATIONS = frozenset({"v"})
SILENT_LETTERS = "hw"  # Soundex disregards h and w (Russell 1918)
BOILERPLATE_MIN_WORDS = 8  # a shared run of words this long or longer can be boilerplate
BOILERPLATE_MIN_TEXTS = 3  # ... when at least this many different texts hold it
BOILERPLATE_MAX_JACCARD = 0.5  # ... and two of them go on to say things whose word sets overlap less than this
# English function words (articles, pronouns, auxiliaries, prepositions, conjunctions, a few adverbs): a subset of
# the SMART stop list (Salton 1971; Lewis et al. 2004, JMLR 5, appendix 11). They carry no meaning of their own:
# adding one ("arrived at the depot"/"arrived at depot") is no addition.
STOP_WORDS = frozenset(
    "a an the this that these those it its i me my we us our you your he him his she her they them their "
    "is are was were be been being am do does did has have had will would shall should can could may might must "
    "of in on at to for from by with about as into onto over under up down out off than then so and or but if "
    "also just too very there here what which who whom whose when where why how all any some each both such "
    "again once only own same other more most per via".split()
)
# the English weekday names: two texts that name the same days in another order (``from Monday to Tuesday``/``from
# Tuesday to Monday``) differ by ``word_order`` (``_reordered``; breaker8 #5), though no word is replaced
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
# A passive construction with its agent (``_passives``, the ``voice`` check; breaker11 N1, nd16): a form of *be* or *get*, a past
# participle, then the agent's preposition: English ``was hired by``, French ``a été remboursé par``, Spanish ``ha sido
# contratado por`` (Quirk et al. 1985, "A Comprehensive Grammar of the English Language", 3.63-3.79: the be- and get-passive
# with a by-agent; the French être-passive with *par*, the Spanish ser-passive with *por*); Dutch ``werd door Piet betaald``
# and German ``wurde von Tom bezahlt``, whose participle closes the clause after the agent (the worden-/werden-passive with
# *door*/*von*: Haeseryn et al. 1997, "Algemene Nederlandse Spraakkunst", 2.3.2; Duden, "Die Grammatik", 2016, the
# werden-Passiv). Words as ``Tokens.words`` holds them (lower case, accents dropped: French ``été`` is ``ete``).
AGENT_WORDS = {"by": "en", "par": "fr", "por": "es", "door": "nl", "von": "de"}  # the agent's preposition, and its language
PASSIVE_AUXILIARIES = {
    "en": frozenset("be is are was were been being am get gets got gotten getting".split()),
    "fr": frozenset("ete etre est sont etait etaient fut furent sera seront soit soient".split()),
    "es": frozenset("ser sido siendo es son era eran fue fueron sera seran sea sean".split()),
    "nl": frozenset("werd werden wordt worden geworden is zijn was waren".split()),
    "de": frozenset("wurde wurden wird werden worden wurdest wirst ist sind war waren".split()),
}
# the Dutch and German auxiliaries no English text writes (``is``, ``was`` are English too): a participle up to
# ``CLAUSE_WORDS`` words after one of them is read as a passive's, with or without its agent (``_active``)
GERMANIC_AUXILIARIES = (PASSIVE_AUXILIARIES["nl"] | PASSIVE_AUXILIARIES["de"]) - PASSIVE_AUXILIARIES["en"] - {"was", "war", "zijn"}
# English words that may stand between the auxiliary and the participle (``was quickly hired by``, ``was twice paid by``):
# an adverb in -ly or one of these, at most ``ADVERB_GAP`` words of them (``and``, ``or``, ``but`` between two counted)
PASSIVE_ADVERBS = frozenset(
    "already also just still then now soon later even ever again recently since once first twice thrice always often never "
    "sometimes seldom finally eventually yet all both each well badly wrongly duly".split()
)
ADVERB_GAP = 3
# French and Spanish adverbs (besides -ment, -mente) that may stand between the auxiliary and the participle (``a ete deja
# rembourse par``, ``fue ya reembolsado por``)
ROMANCE_ADVERBS = frozenset("deja bien aussi encore toujours souvent ya tambien siempre bien pronto".split())
# English phrasal verbs' particles (``was picked up by``, ``was ripped off by``; Quirk et al. 1985, 16.2-16.5): read
# between a participle and its agent, like ``TIME_WORDS`` and the adverbs (``_filler``)
PARTICLES = frozenset("up off out down over in back away on through around along about apart aside forward together".split())
# English time words that may stand between a participle and its agent (``was hired last year by``, ``was paid on Monday
# by``): with the particles and the adverbs, the words a participle used without its auxiliary may have before ``by``
# and still be a passive's (``Anna, hired last year by Tom``: ``_active``)
TIME_WORDS = frozenset("yesterday today tomorrow tonight last next this year week month day night morning evening afternoon "
                       "ago weekend at".split()) | WEEKDAYS
# the most words between an English participle and its agent (``was picked up from the station by``: 4)
AGENT_GAP = 4
# English month names: a date after ``by`` is a deadline, no agent (``_agent_after``)
MONTHS = frozenset("january february march april may june july august september october november december".split())
# the words after ``by`` that make it a deadline or a time, no agent (``paid back by Friday``, ``by the end of May``, ``by
# 5pm``: the digits are gone from ``Tokens.words``, ``pm`` stays; nd17): with the weekdays and the months, the head word of
# a time phrase
DEADLINE_WORDS = WEEKDAYS | MONTHS | frozenset(
    "today tomorrow tonight yesterday noon midnight now end eod eow cob close latest time pm am weekend morning evening "
    "afternoon night day week month quarter year".split()
)
# the words that may open an agent's noun phrase before its head word (``by the store``, ``by his manager``, ``by next
# Friday``: the head word decides, ``_agent_after``)
AGENT_DETERMINERS = frozenset("the a an this that these those his her their our my your its next last".split())
# words that end a clause's reach: a participle is not looked for across them (``was hired and Tom paid by``)
CLAUSE_BREAKS = frozenset("and or but that which who whom whose because while when where if although though".split())
# the most words between a Dutch or German auxiliary and the agent, and between the agent and the participle
CLAUSE_WORDS = 4
# Dutch and German words of a participle's shape (``_germanic_participle``) that are none
GERMANIC_NOT_PARTICIPLES = frozenset("gestern gegen morgen genug gerade genau gern gerne geen gewoon gisteren".split())
# English irregular past participles (the common irregular verbs, e.g. Quirk et al. 1985, 3.11-3.16); a regular one ends in -ed
IRREGULAR_PARTICIPLES = frozenset(
    "paid made done sent built sold bought told given taken written seen known held kept found left lost brought caught "
    "taught thought struck hit cut put set shut hurt read led fed met won shot spent lent bent meant dealt felt heard laid "
    "said stood understood beaten bitten chosen driven eaten fallen forgotten forgiven frozen hidden ridden risen shaken "
    "spoken stolen sworn torn worn woken broken drawn grown shown thrown flown blown sewn begun run sung drunk rung sunk "
    "stuck hung dug spun slid bled fled sped bound ground wound sought fought swept wept crept burnt learnt spelt lit bred "
    "shed quit let upset bet cast forecast cost burst split spread thrust stung strung swung flung wrung overtaken "
    "overseen undertaken withdrawn withheld overcome become mistaken misled misunderstood rebuilt resold retold rewritten "
    "repaid overpaid underpaid sent mislaid".split()
)
SALUTATIONS = ("dear", "hi", "hello", "hey", "attn", "attention")
TITLES = ("mr", "mrs", "ms", "mx", "miss", "dr", "prof", "sir", "madam")



def _mark_ranges() -> str:
    """A regex character-class body of the Basic Multilingual Plane's combining marks (Unicode categories
    Mn, Mc, Me): the vowel signs of Devanagari, Bengali, Tamil, Thai, ... that ``\\w`` does not match."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x0300, 0x10000):
        if unicodedata.category(chr(cp)).startswith("M"):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


# letters (and the combining marks after them: "नहीं" is one word, not "नह"), with inner apostrophes (don't, o'neil)
_LETTER = rf"(?:[^\W\d_]|[{_mark_ranges()}])"
_WORD = re.compile(rf"[^\W\d_]{_LETTER}*(?:'{_LETTER}+)*")
# ``_WORD`` on an ASCII text: there ``[^\W\d_]`` is an ASCII letter and no combining mark occurs (all are above
# U+02FF), so the same matches; a plain character class is scanned about 3x faster than ``_WORD``'s Unicode ones
_ASCII_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")
_DIGIT = re.compile(r"\d")  # a decimal digit: every ``_NUMBER``, ``_THOUSANDS`` and ``_LIST_SPACE`` match holds one
# a name word: an ordinal (``2nd``, ``3rd``: a generation, ``GENERATIONS``) or a word (``_WORD``); only looked for in a
# text with an ordinal in it (``_ORDINAL``)
_ORDINAL = re.compile(r"\d(?:st|nd|rd|th)(?![^\W_])")
_NAME_WORD = re.compile(r"\d+(?:st|nd|rd|th)(?![^\W_])|" + _WORD.pattern)
# An English street word (USPS Publication 28, appendix C1's common street suffixes and their abbreviations)
STREET_WORDS = ("street st avenue ave road rd boulevard blvd drive dr lane ln way court ct place pl terrace ter parkway pkwy "
                "highway hwy circle cir square sq plaza").split()
# ``NE`` in capitals as the compass point of a street address, not French/Czech/Hungarian "ne" (breaker6 #14): right after a
# street word (``5 Main Street NE``), or after a house number with a street word in the three words after it
# (``1200 NE 45th St``). Read as the word ``northeast`` (``_compass``): no negator, and ``NE``/``NW`` still a substitution.
# Not when a French negation's second word follows within four words (``L'AVENUE NE SERA PLUS FERMÉE``: "avenue",
# "place", "court" are French words too; ``plus`` is no negator), nor after an elided article (``L'AVENUE``).
_STREET = r"(?i:" + "|".join(STREET_WORDS) + r")"
_NOT_FRENCH = r"(?!(?:[ \t]+\S+){0,3}?[ \t]+(?i:pas|plus|jamais|rien|personne|guère|guere|point|aucun|aucune|nul|nulle|ni|que)(?![^\W_]))"
_COMPASS_NE = re.compile(
    rf"(?P<street>(?<![^\W\d_'\u2019]){_STREET}\.?,?[ \t]+)NE(?![^\W_]){_NOT_FRENCH}"
    rf"|(?P<number>(?<![\w.,])\d+[A-Za-z]?[ \t]+)NE{_NOT_FRENCH}(?P<after>[ \t]+(?:\S+[ \t]+){{0,2}}{_STREET}(?![^\W_]))"
)
# A street address's quadrant (breaker7 #16): ``SE``, ``NW``, ``SW`` in capitals (or ``N.E.``, ``S.E.``, ...), or spelled
# (``Southeast``, ``south-east``, ``South East``, ``SOUTHEAST``: lower case, capitalized or capitals), right after a street word (``100 Main Street SE``) or after
# a house number with a street word in the three words after it (``1200 SW 45th St``). ``NE`` is ``_COMPASS_NE``'s: read
# only where that rule reads it as the compass point (not French "ne"), and then written ``northeast``, which this matches.
# the four quadrants of a quadrant city's street grid, by their spellings' letters
QUADRANTS = {"ne": "ne", "se": "se", "nw": "nw", "sw": "sw", "northeast": "ne", "southeast": "se", "northwest": "nw", "southwest": "sw"}
_QUADRANT_WORD = r"(?:S[EW]|NW|[NS]\.[EW]\.?|(?:[Nn]orth|NORTH|[Ss]outh|SOUTH)[ -]?(?:[Ee]ast|EAST|[Ww]est|WEST))"
_QUADRANT = re.compile(
    rf"(?<![^\W\d_'\u2019]){_STREET}\.?,?[ \t]+(?P<q>{_QUADRANT_WORD})(?![^\W_])"
    rf"|(?<![\w.,])\d+[A-Za-z]?[ \t]+(?P<p>{_QUADRANT_WORD})(?=[ \t]+(?:\S+[ \t]+){{0,2}}{_STREET}(?![^\W_]))"
)
_NOT_LETTER = re.compile(r"[^a-z]")


def _quadrants(text: str) -> tuple[str, ...]:
    """The street quadrants of a text (``_QUADRANT``; its ``NE`` already read by ``_COMPASS_NE``), each as one of
    ``QUADRANTS`` (``S.E.``, ``Southeast``, ``south-east`` are ``se``), sorted: a multiset.

    Every ``_QUADRANT`` match holds ``S`` or ``N`` followed by ``E``, ``W`` or ``.``, or ``orth``/``outh`` (in capitals
    or not): a text without one of these has none, and is not scanned (the substring tests cost about a tenth of the scan).
    """
    if not ("SE" in text or "SW" in text or "NW" in text or "S." in text or "N." in text
            or "orth" in text or "outh" in text or "ORTH" in text or "OUTH" in text):
        return ()
    found = [m["q"] or m["p"] for m in _QUADRANT.finditer(text)]
    return tuple(sorted(QUADRANTS[_NOT_LETTER.sub("", q.lower())] for q in found))


# An emoji (breaker7 #7): a grapheme cluster (Unicode UAX #29 extended grapheme cluster, the ``regex`` module's ``\X``)
# holding an Extended_Pictographic character (the property UAX #29 rule GB11 builds emoji ZWJ sequences on: every
# emoji, and a few text symbols such as (c) and TM signs), a Regional_Indicator (a flag is two) or the
# combining enclosing keycap U+20E3 (``1️⃣``). One cluster is one emoji: ``👨‍👩‍👧`` and ``👨‍👩‍👦`` (ZWJ sequences of three
# people), ``👍🏽`` and ``👍🏿`` (skin tones), ``🇩🇪`` and ``🇦🇹`` (flags) are different emoji, though they share most bytes.
# The variation selectors U+FE0E/U+FE0F only choose text or emoji presentation: ``❤`` and ``❤️`` are one emoji.
_EMOJI_CHAR = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}\u20e3]")
_GRAPHEME = regex.compile(r"\X")
_PRESENTATION = str.maketrans("", "", "\ufe0e\ufe0f")


# A Western ASCII emoticon (breaker8 #6: ``rating :)``/``rating :(`` merged at Jaccard 0.98): eyes ``:``, ``;`` or ``=``,
# an optional nose (``-``, ``^``, ``o``, ``'``), a mouth (``)``, ``(``, ``]``, ``[``, ``D``, ``P``, ``p``, ``O``, ``3``,
# ``|``, ``/``, ``\``, ``*``), standing alone: no letter, digit, colon or slash before it (``10:30``, ``C:\``,
# ``http://``), no letter, digit or slash after it (``Note:Please``). The emoticons of Wikipedia's "List of emoticons"
# (Western style) that read as a face; a changed, added or removed one is a changed emoji.
_EMOTICON = re.compile(r"(?<![\w:;=/])[:;=][-^o']?[)(\]\[DPpO3|/\\*](?![\w/])")


def _emoji_order(text: str) -> tuple[str, ...]:
    """The emoji of a text in its order (``_EMOJI_CHAR`` clusters, presentation selectors dropped), with its ASCII
    emoticons (``_EMOTICON``: ``:)``, ``:-(``, ``;D``) as emoji. An emoji character is outside ASCII: a text without one
    is not segmented."""
    found = [(m.start(), m.group()) for m in _EMOTICON.finditer(text)] if (":" in text or ";" in text or "=" in text) else []
    if not text.isascii() and _EMOJI_CHAR.search(text):
        at = 0
        for g in _GRAPHEME.findall(text):
            if _EMOJI_CHAR.search(g):
                found.append((at, g.translate(_PRESENTATION)))
            at += len(g)
        found.sort()
    return tuple(g for _, g in found)


def _emoji(text: str) -> frozenset[str]:
    """The distinct emoji of a text (``_emoji_order``)."""
    return frozenset(_emoji_order(text))


_THOUSANDS = re.compile(r"(?<=\d)[,'\u00a0\u202f ](?=\d{3}(?!\d))")  # 1,000 / 1'000 / 1 000 -> 1000
# a number as written, one token (breaker4 #1): its sign (a minus that follows no letter, digit or full stop:
# not the hyphen of TCK-10443), its currency symbol, and its parts joined by . , : / - (0.5, -1250.00, 2025-03-04,
# 10:30, v1.2.3, $100): 0.5/5, 2025-03-04/2025-04-03, -2/+2, v1.2.3/v1.3.2 and $100/£100 are different numbers
_SIGN = r"(?:(?<![\w.])[-+\u2212])?"
# a comparison sign right before a number is part of it (breaker8 #13): ``> 5.0``/``< 5.0``, ``≥ 7.0``/``≤ 7.0``, ``= 5``/``5``
# are different values; ``<=``, ``>=``, ``!=`` are read as ``≤``, ``≥``, ``≠`` (``_COMPARISONS``), a space after the sign dropped
_COMPARE = r"(?:(?:<=|>=|!=|[<>\u2264\u2265=\u2260~\u2248])[ \t\u00a0]?)?"
_COMPARISONS = {"<=": "\u2264", ">=": "\u2265", "!=": "\u2260"}
_COMPARE_SIGNS = "<>\u2264\u2265=\u2260~\u2248"
_NUMBER = re.compile(_COMPARE + _SIGN + r"(?:[$£€¥₹]\s?)?" + _SIGN + r"[^\W_]*\d[^\W_]*(?:[.,:/-][^\W_]*\d[^\W_]*)*")
# a short capital-letter code with a sign (blood groups A+/A-/AB+, grades B+/B-, ratings AA-): the sign is its meaning
_SIGNED_CODE = re.compile(r"(?<![\w+\-\u2212])[A-Z]{1,3}[+\-\u2212](?![\w+\-\u2212])")
_LIST_SPACE = re.compile(r"(?<=\d)([,;:/])\s+(?=\d)")  # "1, 2, 3" reads as "1,2,3": a spacing variant is no difference
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>\"']+")
_HANDLE = re.compile(r"(?<![\w.@])@\w+")
_ADDRESSEE = re.compile(
    r"\b(?:" + "|".join(SALUTATIONS) + r")\b[\s,:]+(?:(?:" + "|".join(TITLES) + r")\b\.?\s+)?([^\W\d_]+)"
)
_TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True)
class Tokens:
    """The tokens of one text that verification compares (lower-cased)."""

    negators: int
    identifiers: Counter[str]
    numbers: Counter[str]
    addressees: Counter[str]
    masks: int = 0  # mask placeholders ([EMAIL], [PHONE], [URL]) in the text
    words: tuple[str, ...] = ()  # the words in order: letters only, no accents or apostrophes, negators and masks left out (stems kept)
    # every word in order, no accents or apostrophes, negators kept: what the ``name`` check compares (a name may be
    # spelt like a negator of some language: Emme / Finnish "emme", Inga / Swedish "inga", Nada / Spanish "nada")
    spelled: tuple[str, ...] = ()
    emoji: frozenset[str] = frozenset()  # the distinct emoji (``_emoji``)
    quadrants: tuple[str, ...] = ()  # the street quadrants, sorted (``_quadrants``)
    number_order: tuple[str, ...] = ()  # ``numbers`` in the text's order (``_number_order``): what ``_reordered`` compares
    emoji_order: tuple[str, ...] = ()  # every emoji in the text's order, presentation selectors dropped (``_emoji_order``)
    question: bool = False  # the text ends in a question mark (``_question``)
    text: str = ""  # the text as given ("" for None): its capitalised words are read from it when a pair asks (``capitals``)

    @property
    def capitals(self) -> frozenset[str]:
        """The words (as ``words`` holds them) the text writes with a capital first letter somewhere (``_capitals``): a
        name's spelling is compared more strictly (``capitalised_variant``). Read on each call: a pair reads them once,
        and only when it needs them (``_Capitalised``)."""
        return _capitals(self.text)


@functools.lru_cache(maxsize=1 << 16)
def _plain(word: str) -> str:
    """``word`` without accents (NFKD, combining marks dropped) and apostrophes.

    An ASCII word is its own NFKD form and holds no combining mark (every combining character is
    above U+02FF: Unicode's ``Mn``/``Mc``/``Me`` categories), so only its apostrophes go, with no
    per-character Python loop. Words repeat across the texts of a file: the last 65,536 distinct
    words are cached (``functools.lru_cache``; the function is pure).
    """
    if word.isascii():
        return word.replace("'", "")
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch) and ch != "'")


@functools.lru_cache(maxsize=1 << 16)
def _word(w: str) -> str:
    """What one ``_WORD`` match adds to ``Tokens.words`` ("": nothing): a negator's stem, the stem of a ``n't``
    word, no negator, any other word ``_plain``. A pure function of the word, so cached like ``_plain``."""
    if w in NEGATOR_STEMS:
        return NEGATOR_STEMS[w]
    if w.endswith("n't"):
        return _plain(w[:-3])
    return "" if _is_negator(w) else _plain(w)


@functools.lru_cache(maxsize=1 << 16)
def _is_negator(w: str) -> bool:
    return w in NEGATORS or w.endswith("n't") or (not w.isascii() and _plain(w) in NEGATORS)


def _number(token: str) -> str:
    """A ``_NUMBER`` match as compared: a leading ``+`` dropped (``+2`` is ``2``), U+2212 read as ``-``, no spaces or tabs,
    a comparison sign written in ASCII read as its symbol (``<=5`` is ``≤5``: ``_COMPARISONS``)."""
    token = token.replace("\u2212", "-").replace(" ", "").replace("\u00a0", "").replace("\t", "")
    compare = ""
    if token[:2] in _COMPARISONS:
        compare, token = _COMPARISONS[token[:2]], token[2:]
    elif token[0] in _COMPARE_SIGNS:
        compare, token = token[0], token[1:]
    return compare + (token.replace("+", "", 1) if token.startswith(("+", "$+", "£+", "€+", "¥+", "₹+")) else token)


def _number_order(text: str) -> tuple[str, ...]:
    """The numbers of ``text`` as written (``_NUMBER``, with a comparison sign before one: ``_COMPARE``), in the text's
    order, thousands separators removed, case kept: a token with a digit is a code (``Xy7Kp2Qa``/``xY7kP2qA`` are two
    vouchers), a number, a date or a version; then the short letter codes with a sign (``_SIGNED_CODE``: blood group
    ``A+``/``A-``, grade ``B+``), in order."""
    signed = [t.replace("\u2212", "-") for t in _SIGNED_CODE.findall(text)] if "+" in text or "-" in text or "\u2212" in text else []
    if not _DIGIT.search(text):  # no number can match (``_NUMBER`` needs a ``\d``): the signed codes alone
        return tuple(signed)
    plain = _LIST_SPACE.sub(r"\1", _THOUSANDS.sub("", text.replace("\u2019", "'")))
    return (*map(_number, _NUMBER.findall(plain)), *signed)


def _numbers(text: str) -> Counter[str]:
    """The numbers of ``text`` (``_number_order``) as a multiset."""
    return Counter(_number_order(text))


_MASKS_LOW = tuple(mask.lower() for mask in MASKS.values())


def _found(low: str) -> list[str]:
    """The ``_WORD`` matches of a lower-cased text (``_ASCII_WORD`` on an ASCII one: the same matches)."""
    return (_ASCII_WORD if low.isascii() else _WORD).findall(low)


def _unmasked(low: str) -> str:
    """A lower-cased text with each mask placeholder (``[email]``, ...) replaced by a space: compared as an identifier, not a word."""
    for mask in _MASKS_LOW:
        if mask in low:
            low = low.replace(mask, " ")
    return low


def _compass(m: re.Match[str]) -> str:
    """A ``_COMPASS_NE`` match with its ``NE`` written ``northeast``."""
    return (m["street"] or m["number"]) + "northeast" + (m["after"] or "")


def tokens_of(text: str | None) -> Tokens:
    """The verification tokens of ``text`` (None or "" has none). Case, whitespace and punctuation
    between tokens do not matter; ``\u2019`` counts as an apostrophe; ``NE`` in capitals in a street address is the
    word ``northeast`` (``_COMPASS_NE``), not the negator "ne"."""
    if text and "NE" in text:
        text = _COMPASS_NE.sub(_compass, text)
    low = (text or "").lower().replace("\u2019", "'")
    found = _found(low)
    negators = sum(map(_is_negator, found))
    # the address patterns are only run on a text holding their literal part ('@'; '://' or 'www.'):
    # scanning a text without one costs a backtracking attempt at every word
    at = "@" in low
    urls = _URL.findall(low) if "://" in low or "www." in low else []
    identifiers = Counter(m.rstrip(_TRAILING) for m in [*(_EMAIL.findall(low) if at else []), *urls, *(_HANDLE.findall(low) if at else [])])
    number_order = _number_order(text or "")
    numbers = Counter(number_order)
    addressees = Counter(m for m in _ADDRESSEE.findall(low) if m not in TITLES and m not in SALUTATIONS)
    masks = sum((text or "").count(m) for m in MASKS.values())
    unmasked = _unmasked(low)
    if unmasked is not low:  # the words are read again without the masks (a text without one: the same words)
        found = _found(unmasked)
    # ``Mary Major 2nd``: the ordinal is a name word (looked for only in a text with a number)
    names = _NAME_WORD.findall(unmasked) if numbers and _ORDINAL.search(unmasked) else found
    emoji = _emoji_order(text or "")
    return Tokens(negators, identifiers, numbers, addressees, masks, tuple(filter(None, map(_word, found))), tuple(map(_plain, names)),
                  frozenset(emoji), _quadrants(text or ""), number_order, emoji, _question(text or ""), text or "")


_ASCII_CAPITAL = re.compile(r"(?<![A-Za-z'])[A-Z][A-Za-z]*(?:'[A-Za-z]+)*")  # an ``_ASCII_WORD`` match with a capital first letter


def _capitals(text: str) -> frozenset[str]:
    """The words ``text`` writes with an upper-case first letter (``Maria``, ``MARIO``, ``O'Brien``, ``Žaneta``), each as
    ``Tokens.words`` holds it (lower-cased, ``_plain``): a sentence's first word too, and every word of a text in capitals."""
    if text.isascii():
        found = _ASCII_CAPITAL.findall(text)
    else:
        found = [w for w in _WORD.findall(text.replace("\u2019", "'")) if w[0].isupper()]
    return frozenset(_plain(w.lower()) for w in found)


class _Capitalised:
    """The words either of two texts writes with a capital (``_capitals``), as a container: the texts are read at the
    first question (``in``), which only a pair of words one edit apart asks (``spelling_variant``), so most pairs of
    texts are never read for it (reading every text cost about 6 microseconds, some 9% of ``tokens_of``)."""

    __slots__ = ("_read", "_texts")

    def __init__(self, *texts: str) -> None:
        self._texts = texts
        self._read: frozenset[str] | None = None

    def __contains__(self, word: object) -> bool:
        if self._read is None:
            self._read = frozenset().union(*map(_capitals, self._texts))
        return word in self._read


# A question mark (nd11, breaker8 #6): ASCII, full-width (U+FF1F), Arabic (U+061F), Greek (U+037E), Armenian (U+055E),
# Ethiopic (U+1367), the interrobang (U+203D) and the double and mixed marks (U+2047-U+2049)
QUESTION_MARKS = "?\uff1f\u061f\u037e\u055e\u1367\u203d\u2047\u2048\u2049"
# A changed final question mark vetoes a pair only when both texts hold at most this many words (``difference``): a short
# text of one sentence (the Plain English Campaign's "How to write in plain English" puts an average sentence at 15-20
# words): a status, a title, a one-line answer, whose mark says whether the whole text states or asks (``has been
# approved.``/``has been approved?``). In a longer text the mark ends only its last sentence, and a re-sent message whose
# closing ``Any update?`` lost its mark is more often one record than two
QUESTION_MAX_WORDS = 15


def _question(text: str) -> bool:
    """Whether ``text`` ends in a question: its final run of punctuation (what follows its last letter, digit or mark:
    the final punctuation with the closing quotes, brackets, spaces and emoji after it) holds a question mark
    (``QUESTION_MARKS``): ``has been approved?``, ``approved?!``, ``approved?)``, ``approved? 🙂``. A text that ends in
    ``.``, ``!``, a word or nothing is no question."""
    if not any(mark in text for mark in QUESTION_MARKS):
        return False
    for ch in reversed(text):  # the end's run, read back to the last letter, digit or mark (Unicode L, N, M)
        if ch in QUESTION_MARKS:
            return True
        if unicodedata.category(ch)[0] in "LNM":
            return False
    return False


def words_of(text: str | None) -> tuple[str, ...]:
    """``tokens_of(text).words`` alone: what a text only read for the column's boilerplate needs (``pair_reasons``)."""
    if text and "NE" in text:
        text = _COMPASS_NE.sub(_compass, text)
    return tuple(filter(None, map(_word, _found(_unmasked((text or "").lower().replace("\u2019", "'"))))))


def spelling_variant(a: str, b: str, capitals: Container[str] = frozenset()) -> bool:
    """Whether two lower-case words are one spelling: equal, or both at least ``VARIANT_MIN_LETTERS``
    letters and Damerau-Levenshtein (optimal string alignment) distance 1 apart (Damerau 1964); when either is one of
    ``capitals`` (a word a text writes with a capital: ``Tokens.capitals``), a ``capitalised_variant`` too."""
    if a == b:
        return True
    if min(len(a), len(b)) < VARIANT_MIN_LETTERS or OSA.distance(a, b) != 1:
        return False
    return not (a in capitals or b in capitals) or _name_edit(a, b)


def capitalised_variant(a: str, b: str) -> bool:
    """Whether two lower-cased words that a text writes with a capital (a given name, a surname, a place) are one
    spelling: equal, or a ``spelling_variant`` whose one edit keeps the first and the last letters and substitutes no
    letter: a transposition (``Micheal``/``Michael``) or a letter added or removed inside (``Philip``/``Phillip``,
    ``Mathew``/``Matthew``).

    The last letter is where given names mark gender (breaker13 F7: ``Maria``/``Mario``, ``Carlo``/``Carla``,
    ``Simone``/``Simona``, ``Daniel``/``Daniela``, ``Julian``/``Juliana``, ``Andrea``/``Andreas``, ``Nikola``/``Nikolai``:
    an ending swapped or a final ``-a``, ``-e``, ``-i``, ``-o``, ``-s`` added) and a letter substituted inside makes
    another name (``Marco``/``Marko``, ``Karin``/``Karen``): two people, where a false merge loses one of them. No list
    of given names decides it (none is installed: nltk's ``names`` corpus is not downloaded), so every capitalised word
    is read so, a sentence's first word too (``Items``/``Item`` then veto: a missed duplicate, the safe direction)."""
    return a == b or (spelling_variant(a, b) and _name_edit(a, b))


def _name_edit(a: str, b: str) -> bool:
    """For two words one edit apart (``spelling_variant``): the edit keeps the first and the last letters and is no
    substituted letter (equal lengths differ in two places for a transposition, in one for a substitution)."""
    return a[0] == b[0] and a[-1] == b[-1] and (len(a) != len(b) or sum(u != v for u, v in zip(a, b)) == 2)


def _one_silent_letter(a: str, b: str) -> bool:
    """``b`` is ``a`` with one ``h``/``w`` or one doubled letter taken out (or the other way round)."""
    long, short = (a, b) if len(a) > len(b) else (b, a)
    if len(long) != len(short) + 1:
        return False
    for i, ch in enumerate(long):
        if long[:i] + long[i + 1:] == short:
            return ch in SILENT_LETTERS or (i > 0 and long[i - 1] == ch) or (i + 1 < len(long) and long[i + 1] == ch)
    return False


def name_variant(a: str, b: str) -> bool:
    """Whether two lower-case name words are one name: equal, one silent letter apart
    (``_one_silent_letter``), or both at least ``VARIANT_MIN_LETTERS`` letters, Damerau-Levenshtein 1
    apart, with the same first and last letters."""
    if a == b or _one_silent_letter(a, b):
        return True
    return (min(len(a), len(b)) >= VARIANT_MIN_LETTERS and a[0] == b[0] and a[-1] == b[-1]
            and OSA.distance(a, b) == 1)


def _replaced(a: str, b: str) -> str:
    """Why word ``a`` replaced by word ``b`` (not a spelling variant) changes the text."""
    for x, y in ((a, b), (b, a)):
        if any(y == p + x for p in NEGATING_PREFIXES) and len(x) >= 3:
            return "negation"
    if a in NUMBER_WORDS or b in NUMBER_WORDS:
        return "number"
    if a in UNITS or b in UNITS:
        return "unit"
    return "substitution"


def _added(word: str) -> str | None:
    """Why a word only one text holds changes it (None: an addition, as a signature line)."""
    if word in NEGATING_WORDS:
        return "negation"
    if word in NUMBER_WORDS:
        return "number"
    if word in UNITS and word not in AMBIGUOUS_UNITS:
        return "unit"
    return None


def _align(left: tuple[str, ...], right: tuple[str, ...],
           capitals: Container[str] = frozenset()) -> tuple[list[tuple[str, str]], list[str]]:
    """One differing block of words (``left`` in one text where ``right`` is in the other) read as
    (words replaced: pairs that are not spelling variants, words only one side holds). ``capitals``: the words either text
    writes with a capital (``Tokens.capitals``), whose variants are ``capitalised_variant`` ones.

    The shorter side's words are paired in order with the longer side's: with the next spelling
    variant when there is one (the words skipped are additions), else with the next word (a
    replacement); the longer side's words left over are additions.
    """
    short, long = (left, right) if len(left) <= len(right) else (right, left)
    replaced: list[tuple[str, str]] = []
    added: list[str] = []
    k = 0
    for word in short:
        hit = next((j for j in range(k, len(long)) if spelling_variant(word, long[j], capitals)), None)
        if hit is None:
            if k < len(long):
                replaced.append((word, long[k]))
                k += 1
            continue
        added.extend(long[k:hit])
        k = hit + 1
    added.extend(long[k:])
    return replaced, added


def _block(left: tuple[str, ...], right: tuple[str, ...], capitals: Container[str] = frozenset()) -> set[str]:
    """The reasons one differing block of words gives (``_align``): each replacement's, and each addition's."""
    replaced, added = _align(left, right, capitals)
    return {_replaced(a, b) for a, b in replaced} | {r for r in map(_added, added) if r}


def _script(ch: str) -> str:
    """The script of a letter: the first word of its Unicode name (``LATIN``, ``CYRILLIC``, ``HEBREW``, ...)."""
    return unicodedata.name(ch, "").split(" ", 1)[0]


@functools.lru_cache(maxsize=1 << 14)
def listed_language(words: tuple[str, ...]) -> bool:
    """Whether a text (its ``Tokens.words``) is in a language whose negators ``NEGATORS`` lists: at least
    ``LANGUAGE_MIN_WORDS`` of its words, and at least ``LANGUAGE_MIN_SHARE`` of them, are function words of
    one language of ``LANGUAGE_WORDS`` (distinct words counted; English: those and ``STOP_WORDS``,
    ``SALUTATIONS``, ``TITLES``), or most of its words are written in a script of ``LISTED_SCRIPTS``.
    A text with no words is listed (there is no word to judge)."""
    if not words:
        return True
    hits = Counter(lang for w in set(words) for lang in _LANGUAGES_OF.get(w, ()))
    if hits and (n := hits.most_common(1)[0][1]) >= LANGUAGE_MIN_WORDS and n >= LANGUAGE_MIN_SHARE * len(words):
        return True
    return Counter(_script(w[0]) for w in words).most_common(1)[0][0] in LISTED_SCRIPTS


_LANGUAGES_OF: dict[str, list[str]] = {}
for _lang, _words_of in LANGUAGE_WORDS.items():
    for _w in _words_of.split():
        _LANGUAGES_OF.setdefault(_w, []).append(_lang)
for _w in STOP_WORDS | set(SALUTATIONS) | set(TITLES):  # English: every function word the checks know, past one letter
    if len(_w) > 1 and "en" not in _LANGUAGES_OF.get(_w, []):
        _LANGUAGES_OF.setdefault(_w, []).append("en")


def unlisted_negation(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
    """Whether two texts' words (``Tokens.words``) may differ by a negator no list holds: neither text is
    in a listed language (``listed_language``), and their only difference is one or two short words
    (``SHORT_WORD_MIN_LETTERS`` to ``SHORT_WORD_LETTERS`` letters) that one text holds and the other lacks, no word replaced
    (``_align``: a spelling variant is no replacement), so a typo or a changed word is not this veto's. A word one
    block removes and another adds is moved, not added (breaker10 F14: ``Meeting moved to Monday, room 4.``/``Meeting
    moved to room 4, Monday.`` aligns ``room`` as removed and added): that is ``word_order``'s; and so is a word only one
    text holds with another only the other holds (``Paris to Rome to Paris``/``Rome to Paris to Rome``: breaker11 N3), where
    no negator was only added or removed."""
    if x == y or listed_language(x) or listed_language(y):
        return False
    gained: Counter[str] = Counter()  # words only y's side of a block holds
    lost: Counter[str] = Counter()  # ... only x's
    for left, right in _blocks(x, y):
        replaced, more = _align(left, right)
        if replaced:
            return False
        (gained if len(left) <= len(right) else lost).update(more)  # ``_align``'s additions are the longer side's words
    moved = gained & lost
    gained, lost = gained - moved, lost - moved
    if gained and lost:  # a word on each side: exchanged (``Paris to Rome to Paris``/``Rome to Paris to Rome``, breaker11 N3), not a negator added
        return False
    added = list((gained + lost).elements())
    return 0 < len(added) <= 2 and all(SHORT_WORD_MIN_LETTERS <= len(w) <= SHORT_WORD_LETTERS for w in added)


def _blocks(x: tuple[str, ...], y: tuple[str, ...]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The differing blocks of two word sequences' alignment (difflib ``SequenceMatcher``, autojunk off),
    leaving out a block equal once its spaces are dropped (``e mail``/``email``)."""
    if x == y:
        return []
    return [(x[i1:i2], y[j1:j2]) for tag, i1, i2, j1, j2 in SequenceMatcher(None, x, y, autojunk=False).get_opcodes()
            if tag != "equal" and "".join(x[i1:i2]) != "".join(y[j1:j2])]


def word_changes(x: tuple[str, ...], y: tuple[str, ...], capitals: Container[str] = frozenset()) -> set[str]:
    """The reasons (of ``WORD_REASONS``) two word sequences differ for: their differing blocks (``_blocks``)
    read by ``_block``, and ``word_order`` when the words both hold are in another order (``_moved``). ``capitals``: the
    words either text writes with a capital (``Tokens.capitals``): two of them one edit apart are one spelling only as a
    ``capitalised_variant`` (``Maria``/``Mario`` is a ``substitution``; breaker13 F7). Empty: the
    texts say the same words in one order. Two sequences of the same words (as multisets) in another order differ by
    ``word_order`` alone: no word is added or replaced, whatever pairs difflib's alignment makes of a swap (``Bob was
    paid by Alice``/``Alice was paid by Bob`` aligns as two replacements; breaker10 F14)."""
    if x != y and Counter(x) == Counter(y):
        return {"word_order"}
    found: set[str] = set()
    blocks = _blocks(x, y)
    for left, right in blocks:
        found |= _block(left, right, capitals)
    if "substitution" not in found and _exchanged(blocks, capitals):
        found.add("substitution")
    if _moved(blocks, x, y):
        found.add("word_order")
    return found


def _exchanged(blocks: list[tuple[tuple[str, ...], tuple[str, ...]]], capitals: Container[str] = frozenset()) -> bool:
    """Whether one text drops a content word in one block and the other adds another content word in another block, no
    spelling variant of it (``Meeting moved to Monday, room 4.``/``Meeting moved to room 4, Tuesday.``: difflib aligns
    ``monday`` as removed and ``tuesday`` as added, each an addition alone, so the pair merged; breaker10 F14's check):
    a word replaced, written elsewhere. A word one block removes and another adds is moved (``word_order``'s), and a
    function word (``STOP_WORDS``) changes nothing."""
    removed: Counter[str] = Counter()
    added: Counter[str] = Counter()
    for left, right in blocks:
        _, more = _align(left, right, capitals)
        (added if len(left) <= len(right) else removed).update(w for w in more if w not in STOP_WORDS)
    moved = removed & added
    removed, added = removed - moved, added - moved
    return any(not any(spelling_variant(r, a, capitals) for a in added) for r in removed) and any(
        not any(spelling_variant(a, r, capitals) for r in removed) for a in added)


def _moved(blocks: list[tuple[tuple[str, ...], tuple[str, ...]]], x: tuple[str, ...], y: tuple[str, ...]) -> bool:
    """Whether two word sequences hold words they share in another order (nd11, breaker8 #5: ``flight from Paris to
    Rome``/``flight from Rome to Paris``, ``Alice paid Bob``/``Bob paid Alice``): some word is in a block only ``x``
    holds and in another only ``y`` holds (their alignment's differing ``blocks``, ``_blocks``: difflib matched one of
    two swapped words and left the others as added on one side and removed on the other), and the shared words cannot be
    read in one order in both (``_reordered``, the longest common subsequence: difflib's greedy alignment is not one).
    A word only added, also one the text holds elsewhere (``call me back``/``call me back, call me``), is no move."""
    removed: Counter[str] = Counter()
    added: Counter[str] = Counter()
    for left, right in blocks:
        removed.update(left)
        added.update(right)
    return bool(removed & added) and _reordered(x, y)


def added_words(x: tuple[str, ...], y: tuple[str, ...]) -> list[str]:
    """The content words (not ``STOP_WORDS``) one of two word sequences holds and the other lacks, in
    alignment order: the additions of their differing blocks (``_blocks``, ``_align``); a spelling
    variant is no addition."""
    return [w for left, right in _blocks(x, y) for w in _align(left, right)[1] if w not in STOP_WORDS]


def _longest_shared(seqs: set[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
    """{sequence: the length of its longest prefix that at least ``BOILERPLATE_MIN_TEXTS`` - 1 other
    sequences of ``seqs`` start with, and after which they go on to say different things (``_diverse``)},
    for the sequences where that is ``BOILERPLATE_MIN_WORDS`` or more. Near copies of one long text share
    a long prefix too, but what follows it is alike: that prefix is the text, not boilerplate.

    The sequences are sorted: the prefix a window of k consecutive sorted sequences shares is the
    smallest longest-common-prefix of its neighbours, so each sequence's answer is the best of the
    (at most k) windows holding it. O(n log n) comparisons plus the neighbours' common prefixes.
    """
    ordered = sorted(seqs)
    k = BOILERPLATE_MIN_TEXTS
    if len(ordered) < k:
        return {}
    common = [_common_prefix(u, v) for u, v in zip(ordered, ordered[1:])]
    window = [min(common[i : i + k - 1]) for i in range(len(ordered) - k + 1)]
    window = [n if n >= BOILERPLATE_MIN_WORDS and _diverse([seq[n:] for seq in ordered[i : i + k]]) else 0 for i, n in enumerate(window)]
    out = {}
    for p, seq in enumerate(ordered):
        best = max(window[max(0, p - k + 1) : p + 1])
        if best >= BOILERPLATE_MIN_WORDS:
            out[seq] = best
    return out


def _diverse(rests: list[tuple[str, ...]]) -> bool:
    """Whether some two of ``rests`` (word sequences) are unlike: the Jaccard index of their word sets
    below ``BOILERPLATE_MAX_JACCARD`` (two empty ones are alike)."""
    sets = [set(r) for r in rests]
    return any(len(u | v) and len(u & v) < BOILERPLATE_MAX_JACCARD * len(u | v) for i, u in enumerate(sets) for v in sets[i + 1:])


def _common_prefix(x: tuple[str, ...], y: tuple[str, ...]) -> int:
    n = 0
    for u, v in zip(x, y):
        if u != v:
            break
        n += 1
    return n


@dataclass(frozen=True)
class Boilerplate:
    """The word runs that open (``heads``) or close (``tails``, words reversed) at least
    ``BOILERPLATE_MIN_TEXTS`` different texts of a column, ``BOILERPLATE_MIN_WORDS`` words or more:
    an e-mail footer, a legal disclaimer, a template's greeting. Per text's words, the longest such run it holds."""

    heads: dict[tuple[str, ...], int]
    tails: dict[tuple[str, ...], int]

    @classmethod
    def of(cls, words: list[tuple[str, ...]]) -> Boilerplate:
        """The boilerplate of texts given as their word sequences (``Tokens.words``)."""
        distinct = set(words)
        return cls(_longest_shared(distinct), _longest_shared({w[::-1] for w in distinct}))

    def outside(self, x: tuple[str, ...], y: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """Two texts' words with the boilerplate both open or close with taken off, or None when they share none.

        A run both texts hold counts when one of them holds it as boilerplate (with two other texts at least).
        """
        tail = min(_common_prefix(x[::-1], y[::-1]), max(self.tails.get(x[::-1], 0), self.tails.get(y[::-1], 0)))
        tail = tail if tail >= BOILERPLATE_MIN_WORDS else 0
        head = min(_common_prefix(x, y), max(self.heads.get(x, 0), self.heads.get(y, 0)), min(len(x), len(y)) - tail)
        head = head if head >= BOILERPLATE_MIN_WORDS else 0
        if not head and not tail:
            return None
        return x[head : len(x) - tail], y[head : len(y) - tail]


def _generations(name: tuple[str, ...]) -> list[tuple[str, str]]:
    """A name's generational suffixes: (word, generation) for each of its words after the first that ``GENERATIONS``
    holds (``Smith Jr, John`` too), read as its generation: ``Junior`` is ``Jr``, ``2nd`` is ``II``."""
    return [(w, GENERATIONS[w]) for w in name[1:] if w in GENERATIONS]


def name_changed(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
    """Whether two names' words differ by a substituted name: their generational suffixes differ
    (``Robert Brown II``/``Robert Brown III``: one letter apart, two people), or one name holds a suffix
    the other lacks (``Jane Doe``/``Jane Doe Jr.``: a parent and child at one address, breaker5 #14; a
    suffix that is also an initial, ``INITIAL_GENERATIONS``, only counts when both hold one), compared as the
    multisets of their generations (``Peter Senior``/``Peter Senior Jr.``: a surname Senior, and a son; ``II`` is
    ``2nd``, ``Jr`` is ``Junior``), or some
    word of the one with fewer words pairs with no word of the other (order free, each used once) as a
    ``name_variant``, nor do its letters equal the other's once spaces are dropped (``Mary Ann``/``Maryann``)."""
    if x == y or "".join(x) == "".join(y):
        return False
    gx, gy = _generations(x), _generations(y)
    if not (gx and gy):  # a suffix that is also an initial (``Anna V``) counts only when both names hold one
        gx, gy = ([(w, g) for w, g in gs if w not in INITIAL_GENERATIONS] for gs in (gx, gy))
    if Counter(g for _, g in gx) != Counter(g for _, g in gy):  # every suffix each name holds, as a multiset
        return True
    if gx:  # the same generations, maybe spelt two ways (Jr/Junior, II/2nd; ``Senior`` a surname on both): the rest decides
        x, y = (tuple(w for i, w in enumerate(n) if not (i and w in GENERATIONS)) for n in (x, y))
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    free = list(long)
    for word in short:
        hit = next((j for j, other in enumerate(free) if name_variant(word, other)), None)
        if hit is None:
            return True
        free.pop(hit)
    return False


def _changed(x: Counter[str], y: Counter[str]) -> bool:
    """Each side holds a token (with multiplicity) the other lacks: a substitution, not an addition."""
    return bool(x - y) and bool(y - x)


REORDER_MAX_TOKENS = 400  # ``_reordered``: past this many shared tokens a side, a changed order of them vetoes unaligned


def _reordered(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
    """Whether the tokens two sequences share (as multisets: ``Counter(x) & Counter(y)``) cannot be read in one order in
    both (breaker8 #5): their longest common subsequence is shorter than the shared multiset, so two of them are swapped
    (``2 weeks late, not 3``/``3 weeks late, not 2``; ``👍 ... 👎``/``👎 ... 👍``). Tokens only one side holds are
    left out (an added phone number is an addition), and so is a repeat: ``🙏 ... 🙏``/``🙏`` is no reordering.
    O(n·m) on the shared tokens; past ``REORDER_MAX_TOKENS`` a side, any difference in their filtered order counts
    (a missed duplicate at worst)."""
    if x == y:
        return False
    shared = Counter(x) & Counter(y)
    if sum(shared.values()) < 2:
        return False
    xs = [t for t in x if t in shared]
    ys = [t for t in y if t in shared]
    if xs == ys:
        return False
    if len(xs) > REORDER_MAX_TOKENS or len(ys) > REORDER_MAX_TOKENS:
        return True
    row = [0] * (len(ys) + 1)  # longest common subsequence, one row at a time (Wagner & Fischer 1974)
    for t in xs:
        diag = 0
        for j, u in enumerate(ys):
            diag, row[j + 1] = row[j + 1], diag + 1 if t == u else max(row[j + 1], row[j])
    return row[-1] < sum(shared.values())


_ALL_AUXILIARIES = frozenset().union(*PASSIVE_AUXILIARIES.values())
_GERMANIC_PREFIXES = ("ge", "be", "ver", "ent", "ont", "er", "her", "zer", "emp", "miss", "mis")


def _adverb(word: str) -> bool:
    """Whether an English word may stand between a passive's auxiliary and its participle (``PASSIVE_ADVERBS``, or -ly)."""
    return word in PASSIVE_ADVERBS or (len(word) > 4 and word.endswith("ly"))


def _filler(word: str) -> bool:
    """Whether an English word may stand between a participle and its agent's ``by`` in a passive read without its
    auxiliary (``Anna, picked up last week by Tom``): a particle (``PARTICLES``), an adverb (``_adverb``) or a time word
    (``TIME_WORDS``): no noun, so ``picked up Ann by the station`` (``by``: near) is an active."""
    return word in PARTICLES or word in TIME_WORDS or _adverb(word)


def _english_participle(word: str) -> bool:
    """An English past participle's shape: -ed (four letters or more: ``red``, ``bed`` are none) or ``IRREGULAR_PARTICIPLES``."""
    return (len(word) > 3 and word.endswith("ed")) or word in IRREGULAR_PARTICIPLES


def _germanic_participle(word: str) -> bool:
    """A Dutch or German past participle's shape (accents dropped): at least five letters, ending in -t, -d or -en, with
    the prefix ``ge-`` (``gemaakt``), ``ge`` after a separable particle (``opgehaald``, ``abgeholt``, ``eingestellt``) or an
    inseparable prefix (``betaald``, ``bezahlt``, ``verkauft``, ``entlassen``), or ending in -iert/-eerd (``informiert``);
    not an auxiliary, nor one of ``GERMANIC_NOT_PARTICIPLES`` (``gestern``)."""
    if len(word) < 5 or not word.endswith(("t", "d", "en")) or word in _ALL_AUXILIARIES or word in GERMANIC_NOT_PARTICIPLES:
        return False
    return word.startswith(_GERMANIC_PREFIXES) or "ge" in word[2:6] or word.endswith(("iert", "eerd"))


def _after_auxiliary(words: tuple[str, ...], k: int, auxiliaries: frozenset[str]) -> bool:
    """Whether ``words[k]`` follows one of ``auxiliaries``, right after it or past at most ``ADVERB_GAP`` adverbs
    (``_adverb``: ``was twice paid``, ``was also quickly paid``), ``and``/``or``/``but`` between two of them counted
    (``was quickly and quietly paid``)."""
    for j in range(k - 1, max(-1, k - 2 - ADVERB_GAP), -1):
        if words[j] in auxiliaries:
            return True
        if not (_adverb(words[j]) or (words[j] in ("and", "or", "but") and j + 1 < k and _adverb(words[j + 1]))):
            return False
    return False


def _english_passive(words: tuple[str, ...], i: int) -> int | None:
    """The position of the participle of an English passive whose agent's ``by`` is ``words[i]``, or None: the word
    nearest before it, at most ``AGENT_GAP`` words back and not across an auxiliary or a ``CLAUSE_BREAKS`` word, that
    has a participle's shape (``_english_participle``) and follows a form of *be* or *get* (``_after_auxiliary``):
    ``was picked up by``, ``was hired last year by``, ``was twice paid by``, ``got ripped off by``."""
    auxiliaries = PASSIVE_AUXILIARIES["en"]
    for k in range(i - 1, max(-1, i - 2 - AGENT_GAP), -1):
        w = words[k]
        if w in auxiliaries or w in CLAUSE_BREAKS or w in AGENT_WORDS:
            return None
        if _english_participle(w) and _after_auxiliary(words, k, auxiliaries):
            return k
    return None


def _romance_adverb(word: str) -> bool:
    """Whether a French or Spanish word may stand between a passive's auxiliary and its participle: an adverb in -ment
    or -mente (``a ete rapidement rembourse``, ``fue rapidamente reembolsado``) or one of ``ROMANCE_ADVERBS``."""
    return word in ROMANCE_ADVERBS or (len(word) > 6 and word.endswith("ment")) or (len(word) > 7 and word.endswith("mente"))


def _romance_participle(words: tuple[str, ...], k: int, auxiliaries: frozenset[str]) -> bool:
    """Whether ``words[k]`` (``k`` >= 1) is read as a French or Spanish passive's participle: right after one of
    ``auxiliaries`` or an adverb after one (``_romance_adverb``: ``a ete rapidement rembourse``), no auxiliary or agent's
    preposition itself and three letters or more (no shape: the words' accents are gone)."""
    part = words[k]
    if part in auxiliaries or len(part) < 3 or part in AGENT_WORDS:
        return False
    return words[k - 1] in auxiliaries or (k >= 2 and _romance_adverb(words[k - 1]) and words[k - 2] in auxiliaries)


def _romance_passive(words: tuple[str, ...], i: int, auxiliaries: frozenset[str]) -> int | None:
    """The position of the participle of a French or Spanish passive whose agent's ``par``/``por`` is ``words[i]``, or
    None: the word right before it (``a ete rembourse par``, ``fue reembolsado por``), or one word before it
    (``a ete rembourse hier par``), read as a participle (``_romance_participle``: ``a ete rapidement rembourse par``)."""
    for k in (i - 1, i - 2):
        if k < 1:
            return None
        if _romance_participle(words, k, auxiliaries):
            return k
    return None


def _germanic_passive(words: tuple[str, ...], i: int, auxiliaries: frozenset[str]) -> int | None:
    """The position of the participle of a Dutch or German passive whose agent's ``door``/``von`` is ``words[i]``, or
    None. An auxiliary of that language stands at most ``CLAUSE_WORDS`` words before the agent; the participle
    (``_germanic_participle``) is the first of the ``CLAUSE_WORDS`` words after the agent (``werd door Piet betaald``,
    ``wurde gestern von der Firma bezahlt``) or, with none there, the word right before it (``werd betaald door Piet``).
    Only in a text that reads as that language at least as much as English (``_reads_as``: ``the parcel was left at the
    door behind the bins`` is English, ``door`` no agent)."""
    if not _reads_as(words, AGENT_WORDS[words[i]]):
        return None
    for j in range(i - 1, max(-1, i - 2 - CLAUSE_WORDS), -1):  # the auxiliary, in the agent's clause
        if words[j] in auxiliaries:
            break
        if words[j] in CLAUSE_BREAKS:
            return None
    else:
        return None
    for k in range(i + 2, min(len(words), i + 2 + CLAUSE_WORDS)):
        if words[k] in CLAUSE_BREAKS or words[k] in AGENT_WORDS:
            break
        if _germanic_participle(words[k]):
            return k
    if _germanic_participle(words[i - 1]) and words[i - 1] not in auxiliaries:
        return i - 1
    return None


def _reads_as(words: tuple[str, ...], lang: str) -> bool:
    """Whether a text's words hold at least as many distinct function words of ``lang`` (``LANGUAGE_WORDS``) as of
    English (those and ``STOP_WORDS``: ``_LANGUAGES_OF``)."""
    hits = Counter(x for w in set(words) for x in _LANGUAGES_OF.get(w, ()) if x in (lang, "en"))
    return hits[lang] >= hits["en"]


@functools.lru_cache(maxsize=1 << 14)
def _passive_positions(words: tuple[str, ...]) -> tuple[int, ...]:
    """The positions of the participles of a text's passive constructions with an agent (``Tokens.words``; ``AGENT_WORDS``,
    ``PASSIVE_AUXILIARIES``), in order: English (``_english_passive``), French and Spanish (``_romance_passive``), Dutch
    and German (``_germanic_passive``). Empty for a text without an agent's preposition (a tuple scan)."""
    if not any(w in AGENT_WORDS for w in words):
        return ()
    found: list[int] = []
    for i, w in enumerate(words):
        lang = AGENT_WORDS.get(w)
        if lang is None or i == 0:
            continue
        if lang == "en":
            k = _english_passive(words, i) if _agent_after(words, i) else None
        elif lang in ("fr", "es"):
            k = _romance_passive(words, i, PASSIVE_AUXILIARIES[lang])
        else:
            k = _germanic_passive(words, i, PASSIVE_AUXILIARIES[lang])
        if k is not None and k not in found:
            found.append(k)
    return tuple(found)


@functools.lru_cache(maxsize=1 << 14)
def _passive_forms(words: tuple[str, ...]) -> tuple[int, ...]:
    """The positions of the participles of a text's passive constructions, with their agent or without (nd17), in order:
    those of ``_passive_positions``; an English participle (``_english_participle``) after a form of *be* or *get*, past
    at most ``ADVERB_GAP`` adverbs (``_after_auxiliary``: ``The supplier was called twice``, ``Anna got quickly paid``); in
    a text that reads as French or Spanish (``_reads_as``), the word after one of that language's auxiliaries
    (``_romance_participle``: ``a ete rembourse``, ``ha sido reembolsado``); a Dutch or German participle's shape
    (``_germanic_participle``) within ``CLAUSE_WORDS`` words after a ``GERMANIC_AUXILIARIES`` word (``wurde gestern
    bezahlt``, ``werd betaald``). Empty for a text without an auxiliary or an agent's preposition (a tuple scan)."""
    found = set(_passive_positions(words))
    if not any(w in _ALL_AUXILIARIES for w in words):
        return tuple(sorted(found))
    english = PASSIVE_AUXILIARIES["en"]
    romance = [PASSIVE_AUXILIARIES[lang] for lang in ("fr", "es")
               if any(w in PASSIVE_AUXILIARIES[lang] for w in words) and _reads_as(words, lang)]
    germanic = any(w in GERMANIC_AUXILIARIES for w in words)
    for k in range(1, len(words)):
        w = words[k]
        if ((_english_participle(w) and _after_auxiliary(words, k, english))
                or any(_romance_participle(words, k, auxiliaries) for auxiliaries in romance)
                or (germanic and _germanic_participle(w)
                    and any(v in GERMANIC_AUXILIARIES for v in words[max(0, k - CLAUSE_WORDS) : k]))):
            found.add(k)
    return tuple(sorted(found))


def _passives(words: tuple[str, ...]) -> Counter[str]:
    """The participles of a text's passive constructions with an agent (``_passive_positions``), as a multiset: ``was
    hired by``, ``was quickly hired by``, ``was picked up by``, ``was hired last year by``, ``got paid by``, ``a ete rembourse
    par``, ``werd door Piet betaald``, ``wurde von Tom bezahlt``. An English participle ends in -ed or is an
    ``IRREGULAR_PARTICIPLES`` word (``is close by``, ``was ready by Monday`` are none); a French or Spanish one is the word
    after ``été``/``est``/``fue``/``sido``/... (no shape: accents are gone from ``words``), not itself an auxiliary."""
    return Counter(words[k] for k in _passive_positions(words))


def _agent_after(words: tuple[str, ...], i: int) -> bool:
    """Whether the words after an English ``by`` (``words[i]``) can name an agent: past the words that open a noun phrase
    (``AGENT_DETERMINERS``), a word that is neither a function word (``STOP_WORDS``) nor a time phrase's head
    (``DEADLINE_WORDS``): ``by the store``, ``by Tom``. ``by Friday``, ``by the end of May``, ``by 5pm`` (``pm``), ``by
    then``, ``by 2026-03-15 for`` (the digits are gone) and a ``by`` that closes the text are none (nd17)."""
    for w in words[i + 1 :]:
        if w not in AGENT_DETERMINERS:
            return w not in STOP_WORDS and w not in DEADLINE_WORDS
    return False


def _before_agent(words: tuple[str, ...], j: int) -> bool:
    """Whether ``words[j]`` stands before an agent's preposition (``AGENT_WORDS``), right before it or past at most
    ``AGENT_GAP`` particles, adverbs and time words (``_filler``): a passive without its auxiliary (``Anna, hired by
    Tom``, ``Tom, picked up last week by Ann``). An English ``by`` must name an agent (``_agent_after``): before ``by
    Friday`` (``Anna paid back by Friday``) a participle is an active's verb (nd17)."""
    for k in range(j + 1, min(len(words), j + 2 + AGENT_GAP)):
        if words[k] in AGENT_WORDS:
            return words[k] != "by" or _agent_after(words, k)
        if not _filler(words[k]):
            return False
    return False


def _active(words: tuple[str, ...], part: str) -> int:
    """How often a text (``Tokens.words``) uses a participle ``part`` (or a spelling variant of it: ``hires``/``hired``,
    ``bezahlte``/``bezahlt``) outside a passive: not a participle of its passives (``_passive_forms``), not before an
    agent's preposition (``_before_agent``: ``Anna, hired by Tom`` is a passive without its auxiliary), not after an
    auxiliary (``PASSIVE_AUXILIARIES``), also past adverbs (``_after_auxiliary``: ``The order was shipped``, ``was
    twice paid``: a passive without an agent), and not within ``CLAUSE_WORDS`` words after a Dutch or German one
    (``GERMANIC_AUXILIARIES``: ``wurde gestern bezahlt``)."""
    passive = _passive_forms(words)
    n = 0
    for j, w in enumerate(words):
        if not spelling_variant(part, w) or j in passive:
            continue
        if _before_agent(words, j) or _after_auxiliary(words, j, _ALL_AUXILIARIES):
            continue
        if any(v in GERMANIC_AUXILIARIES for v in words[max(0, j - CLAUSE_WORDS) : j]):
            continue
        n += 1
    return n


def _voice(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
    """Whether one text (``Tokens.words``) says in the passive what the other says in the active (breaker11 N1, nd17): a
    participle one text holds in more passives, with their agent or without (``_passive_forms``: ``Anna was hired by
    Tom``, ``Anna was paid on Friday``) the other uses more often outside a passive (``_active``: ``Anna hired Tom``,
    ``Anna paid on Friday``). The agent and the patient trade places, or the subject turns from the doer into the one
    done to: opposite meanings. An ergative verb (``The order shipped on Monday``/``The order was shipped on Monday``)
    says the same in both voices, but no rule here tells it from one that does not, so it vetoes too (a missed
    duplicate). A passive on both sides (``The order was shipped``/``Order was shipped``, ``was shipped by
    DHL``/``was shipped``: an agent added) is no difference. The passives without an agent are not compared where
    the texts' words pair up in order as spelling variants (``spelling_variant``): a typo in an adverb between the
    auxiliary and the participle (``was quickyl paid``/``was quickly paid``: no adverb to ``_after_auxiliary``) reads no
    passive, but the voice is the same. The passives with an agent (``_passives``) are compared as before nd17, whatever
    the auxiliaries: ``Anna was paid by Tom``/``Anna was paid, Tom paid`` hold one passive of ``paid`` each, but only the
    first one's has an agent, which the second uses in the active."""
    fx, fy = _passive_forms(x), _passive_forms(y)
    if x == y or not (fx or fy):  # no passive in either text (those with an agent are among ``_passive_forms``)
        return False
    compared = [(_passives(x), _passives(y))]
    if len(x) != len(y) or not all(map(spelling_variant, x, y)):
        compared.append((Counter(x[k] for k in fx), Counter(y[k] for k in fy)))
    for px, py in compared:
        if px != py and (any(_active(y, p) > _active(x, p) for p in px - py)
                         or any(_active(x, p) > _active(y, p) for p in py - px)):
            return True
    return False


def _negator_moved(x: Tokens, y: Tokens) -> bool:
    """Whether a negator stands elsewhere among the same words (``Tokens.words``, which leave negators out, are equal; all
    the words, ``Tokens.spelled``, are the same multiset in another order): ``is not allergic to penicillin but to
    aspirin``/``is allergic to penicillin but not to aspirin`` negate two different things (breaker10 F14's check)."""
    return x.words == y.words and x.spelled != y.spelled and Counter(x.spelled) == Counter(y.spelled)


def difference(x: Tokens, y: Tokens, reasons: tuple[str, ...] = REASONS,
               outside: tuple[tuple[str, ...], tuple[str, ...]] | None = None) -> str | None:
    """The first reason of ``reasons`` (names from ``REASONS`` and ``NAME_REASONS``) on which two texts differ, or None.

    ``outside``: the two texts' words outside a boilerplate they share (``Boilerplate.outside``); there
    a content word added or removed (``added_words``) is an ``addition``.
    """
    words: set[str] | None = None
    for reason in reasons:
        if reason in WORD_REASONS and words is None:
            words = word_changes(x.words, y.words, _Capitalised(x.text, y.text))
        if reason == "negation" and (x.negators != y.negators or "negation" in words or _negator_moved(x, y)
                                     or (unlisted_negation(x.words, y.words) and not _voice(x.words, y.words))):
            return reason
        if reason == "identifier" and (_changed(x.identifiers, y.identifiers) or (x.masks and y.masks)):
            return reason
        if reason == "number" and (_changed(x.numbers, y.numbers) or "number" in words or _reordered(x.number_order, y.number_order)):
            return reason
        if reason == "emoji" and (x.emoji != y.emoji or _reordered(x.emoji_order, y.emoji_order)):
            return reason
        if (reason == "question" and x.question != y.question
                and len(x.spelled) <= QUESTION_MAX_WORDS and len(y.spelled) <= QUESTION_MAX_WORDS):
            return reason
        if reason == "quadrant" and x.quadrants != y.quadrants:
            return reason
        if reason == "addressee" and _changed(x.addressees, y.addressees):
            return reason
        if reason in ("unit", "substitution", "word_order") and reason in words:
            return reason
        if reason == "word_order" and x.words != y.words and _reordered(*(tuple(w for w in t.words if w in WEEKDAYS) for t in (x, y))):
            return reason
        if reason == "voice" and _voice(x.words, y.words):
            return reason
        if reason == "addition" and outside is not None and added_words(*outside):
            return reason
        if reason == "name" and name_changed(x.spelled, y.spelled):
            return reason
    return None


def _masks_of(text: str | None) -> int:
    """``tokens_of(text).masks`` without the rest of its tokens: the mask placeholders of ``text`` once ``NE`` in a street
    address is read as ``northeast`` (as ``tokens_of`` reads it)."""
    if text and "NE" in text:
        text = _COMPASS_NE.sub(_compass, text)
    return sum((text or "").count(m) for m in MASKS.values())


def _same_text_reason(text: str | None, reasons: tuple[str, ...]) -> str | None:
    """``difference(t, t, reasons)`` for ``t = tokens_of(text)`` (a pair of two rows holding one text), without
    tokenizing it: every check but ``identifier``'s compares the two sides' tokens, and equal tokens differ in none
    (``_changed``, ``_reordered``, ``unlisted_negation``, ``_voice``, ``name_changed`` of equal arguments are False,
    ``word_changes`` is empty, ``addition`` is not checked without ``outside``, which equal words never get); ``identifier``
    also vetoes two texts that both hold a mask (a hidden address or number: equal placeholders say nothing of equal values)."""
    return "identifier" if "identifier" in reasons and _masks_of(text) else None


def pair_reasons(texts: dict[int, str | None], a: list[int], b: list[int], reasons: tuple[str, ...] = REASONS) -> list[str | None]:
    """Per pair (rows a[k], b[k]; ``texts`` holds every row named): the veto reason, or None when the pair stands.

    Each distinct text of a pair's rows is tokenized once (``tokens_of``: rows holding one text share its
    ``Tokens``). A pair of two rows holding one text is decided without its tokens (``_same_text_reason``: equal
    tokens differ only by their masks), so only the texts of pairs whose texts differ are tokenized, unless the
    boilerplate is needed. With ``addition`` among ``reasons``, the boilerplate of all of ``texts`` (``Boilerplate.of``)
    decides which words of a pair are compared for additions, and the rows in no pair are read for their words
    alone (``words_of``); it is only built when some pair's two texts differ in their words: two equal word
    sequences add no word whatever boilerplate they share (``added_words``), so such a pair is decided without it.
    Raises KeyError for a row of a pair not in ``texts``.
    """
    by_text: dict[str | None, Tokens] = {}
    tokens: dict[int, Tokens] = {}

    def tokenize(rows: list[int]) -> None:
        for row in dict.fromkeys(rows):
            if row in tokens:
                continue
            text = texts[row]
            got = by_text.get(text)
            if got is None:
                got = by_text[text] = tokens_of(text)
            tokens[row] = got

    apart = [texts[i] != texts[j] for i, j in zip(a, b)]  # two texts (a row not in ``texts``: KeyError)
    tokenize([row for i, j, other in zip(a, b, apart) if other for row in (i, j)])
    if "addition" not in reasons or all(tokens[i].words == tokens[j].words for i, j, other in zip(a, b, apart) if other):
        return [difference(tokens[i], tokens[j], reasons) if other else _same_text_reason(texts[i], reasons)
                for i, j, other in zip(a, b, apart)]
    tokenize([*a, *b])  # the boilerplate reads every pair's row by its tokens (``words_of`` for the others)
    shared = Boilerplate.of([tokens[row].words if row in tokens else words_of(text) for row, text in texts.items()])
    return [difference(tokens[i], tokens[j], reasons, shared.outside(tokens[i].words, tokens[j].words)
                       if tokens[i].words != tokens[j].words else None) for i, j in zip(a, b)]
