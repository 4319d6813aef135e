"""A word-salad differential of the near-duplicate veto (``headwater.clean.dedup.verify.difference``): old against new.

    PYTHONPATH=/tmp/old/include python bench/verify_salad.py dump old.json [PAIRS]
    PYTHONPATH=include          python bench/verify_salad.py dump new.json [PAIRS]
    python bench/verify_salad.py diff old.json new.json

``dump`` makes ``PAIRS`` (default 60000) seeded pairs (``random.Random(SEED)``: the same pairs for every library) and
writes each pair's veto reason, both orders, as JSON. A pair is a text and an edited copy of it: half of the texts are
word salad (``SALAD``: a dense mix of subjects, be/get/have forms, participles, particles, adverbs, ``by`` and time words,
and French, Spanish, Dutch and German passive words), half a short clause (``_clause``); the copy has one or two edits
(``EDITS``: a word inserted, deleted or replaced, two adjacent letters swapped, the case or the final stop changed, an
auxiliary inserted before or deleted), the changes a re-export or a rewrite makes. ``diff`` counts the pairs whose reason
changed, by (old, new), and prints up to ``SHOW`` of each. Written for nd17 (agentless passives against actives).
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter

SEED = 17
SHOW = 12
SUBJECTS = "Anna Tom Bob Alice supplier customer store order invoice driver tenant manager parcel payment".split()
AUXILIARIES = "was were is are be been being got gets get has have had".split()
PARTICIPLES = ("paid called shipped hired refunded picked left sent told closed approved kicked received returned signed "
               "hit built sold").split()
VERBS = "pays calls ships hires refunds picks leaves sends tells closes approves kicks receives returns signs".split()
PARTICLES = "up back off out".split()
ADVERBS = "quickly twice already also never finally".split()
PREPOSITIONS = "by on for about to at from with in by by".split()
TIMES = "Friday Monday tomorrow May noon week end the the a 55 8812 5pm".split()
FOREIGN = ("été a le client remboursé par hier sido ha el cliente reembolsado por ayer fue werd door betaald Jan Piet "
           "wurde von bezahlt gestern ist de la").split()
SALAD = SUBJECTS + AUXILIARIES + PARTICIPLES + VERBS + PARTICLES + ADVERBS + PREPOSITIONS + TIMES + FOREIGN
EDITS = ("insert", "delete", "replace", "typo", "case", "stop", "aux_insert", "aux_delete")


def _clause(rng: random.Random) -> list[str]:
    words = [rng.choice(["The", "", "Our"]), rng.choice(SUBJECTS)]
    if rng.random() < 0.5:
        words += [rng.choice(AUXILIARIES)] + ([rng.choice(ADVERBS)] if rng.random() < 0.2 else [])
    words.append(rng.choice(PARTICIPLES + VERBS))
    if rng.random() < 0.4:
        words.append(rng.choice(PARTICLES))
    for _ in range(rng.randint(1, 3)):
        words += [rng.choice(PREPOSITIONS), rng.choice(TIMES + SUBJECTS)]
    return [w for w in words if w]


def _edit(words: list[str], rng: random.Random) -> list[str]:
    words = list(words)
    kind = rng.choice(EDITS)
    k = rng.randrange(len(words))
    if kind == "insert":
        words.insert(k, rng.choice(SALAD))
    elif kind == "delete" and len(words) > 2:
        del words[k]
    elif kind == "replace":
        words[k] = rng.choice(SALAD)
    elif kind == "typo" and len(words[k]) > 3:
        w, i = words[k], rng.randrange(len(words[k]) - 1)
        words[k] = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    elif kind == "case":
        words[k] = words[k].swapcase()
    elif kind == "stop":
        words[-1] = words[-1].rstrip(".!") if words[-1][-1:] in ".!" else words[-1] + rng.choice(".!")
    elif kind == "aux_insert":
        words.insert(k, rng.choice(AUXILIARIES[:8]))
    elif kind == "aux_delete":
        at = [i for i, w in enumerate(words) if w.lower() in AUXILIARIES]
        if at:
            del words[rng.choice(at)]
    return words


def pairs(n: int) -> list[tuple[str, str]]:
    """``n`` (text, edited copy) pairs, the same for every run (``SEED``)."""
    rng = random.Random(SEED)
    out = []
    for i in range(n):
        words = [rng.choice(SALAD) for _ in range(rng.randint(3, 12))] if i % 2 else _clause(rng)
        copy = words
        for _ in range(rng.randint(1, 2)):
            copy = _edit(copy, rng)
        out.append((" ".join(words), " ".join(copy)))
    return out


def dump(path: str, n: int) -> None:
    from headwater.clean.dedup.verify import difference, tokens_of

    rows = []
    for a, b in pairs(n):
        x, y = tokens_of(a), tokens_of(b)
        rows.append([a, b, difference(x, y), difference(y, x)])
    with open(path, "w") as f:
        json.dump(rows, f)


def diff(old_path: str, new_path: str) -> None:
    with open(old_path) as f:
        old = json.load(f)
    with open(new_path) as f:
        new = json.load(f)
    assert [r[:2] for r in old] == [r[:2] for r in new], "the two dumps hold other pairs"
    changed: dict[tuple, list] = {}
    for o, n in zip(old, new):
        if o[2:] != n[2:]:
            changed.setdefault((tuple(o[2:]), tuple(n[2:])), []).append(o[:2])
    print(f"{len(old)} pairs, {sum(map(len, changed.values()))} changed")
    for (was, now), rows in sorted(changed.items(), key=lambda kv: -len(kv[1])):
        print(f"{len(rows):6d}  {was} -> {now}")
        for a, b in rows[:SHOW]:
            print(f"          {a!r} | {b!r}")
    print(Counter(r for o, n in zip(old, new) for r in n[2:] if o[2:] != n[2:]))


if __name__ == "__main__":
    if sys.argv[1] == "dump":
        dump(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 60000)
    else:
        diff(sys.argv[2], sys.argv[3])
