"""Reproducible benchmark data: one messy CSV with planted duplicates and a ground-truth table.

The file looks like a CRM export gone through several hands: header names in mixed
conventions, NA spellings, HTML and contact details inside free-text notes, mojibake,
exact duplicates (some differing only in whitespace or NA spelling) and near duplicates
(a re-registered customer: new id, a typo in the name or e-mail, a word or two of the
note changed). The ground truth records, for every planted copy, the CSV line of its
original, so detectors can be scored by precision and recall.

    python bench/generate.py --rows 1000000 --out .headwater/bench
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

GENERATOR_VERSION = 2  # bump when the output changes, so cached files are regenerated
HEADER = [" Customer ID ", "fullName", "E-Mail Address", "Signup Date", "lifetime-value", "PHONE_NUMBER", "city", "Notes"]
NA_SPELLINGS = ["", "NA", "N/A", "null", "-"]
FIRST = "ada grace john jon linus margaret barbara ken anna maria jose zoe francois soren li wei amir fatima olga ivan noah emma liam mia lucas sofia hugo lea omar sara".split()
LAST = "lovelace hopper smith torvalds hamilton liskov thompson muller dubois garcia rossi novak kowalski tanaka chen kim nguyen silva costa jensen berg weber fischer moreau petit larsen".split()
CITIES = ["Berlin", "Paris", "London", "Zürich", "São Paulo", "New York", "Kraków", "Oslo", "Madrid", "Lisbon"]
DOMAINS = ["example.com", "example.org", "mail.example.net", "corp.example.de"]
ACCENTED = ["café", "Müller", "naïve", "façade", "Ångström", "résumé"]
MOJIBAKE = ["cafÃ©", "MÃ¼ller", "naÃ¯ve"]


@dataclass(frozen=True)
class BenchFiles:
    csv: Path
    truth: Path


def paths(out: Path, rows: int, seed: int) -> BenchFiles:
    stem = f"customers_{rows}_s{seed}_v{GENERATOR_VERSION}"
    return BenchFiles(out / f"{stem}.csv", out / f"{stem}.truth.parquet")


def _vocabulary(rng: np.random.Generator, size: int = 4000) -> np.ndarray:
    syllables = np.array("ka lo mi ne su ta ri po ve da lu ge mo sa fi no be ra to li".split())
    lengths = rng.integers(2, 5, size)
    words = {"".join(rng.choice(syllables, n)) for n in lengths}
    return np.array(sorted(words))


def _phone(rng: np.random.Generator) -> str:
    a, b, c = rng.integers(200, 999), rng.integers(200, 999), rng.integers(1000, 9999)
    return [f"+1 ({a}) {b}-{c}", f"{a}-{b}-{c}", f"+44 20 {b}{c % 10} {c}"][int(rng.integers(3))]


def _note(rng: np.random.Generator, vocab: np.ndarray) -> list[str]:
    return list(rng.choice(vocab, int(rng.integers(8, 40))))


def _decorate(words: list[str], rng: np.random.Generator) -> str:
    """Turn a word list into a note, sometimes with markup, contact details or non-ASCII."""
    words = list(words)
    roll = rng.random(6)
    if roll[0] < 0.05:
        words.insert(int(rng.integers(len(words))), f"https://shop.example.com/p/{rng.integers(1, 10**6)}")
    if roll[1] < 0.05:
        words.insert(int(rng.integers(len(words))), f"{rng.choice(FIRST)}.{rng.choice(LAST)}@{rng.choice(DOMAINS)}")
    if roll[2] < 0.05:
        words.insert(int(rng.integers(len(words))), _phone(rng))
    if roll[3] < 0.03:
        words.insert(int(rng.integers(len(words))), str(rng.choice(ACCENTED)))
    if roll[4] < 0.01:
        words.insert(int(rng.integers(len(words))), str(rng.choice(MOJIBAKE)))
    text = " ".join(words)
    if roll[5] < 0.08:
        half = len(words) // 2
        text = f"<p>{' '.join(words[:half])} &amp; <b>{words[half]}</b> {' '.join(words[half + 1:])}</p>"
    return text


def _typo(value: str, rng: np.random.Generator) -> str:
    if len(value) < 3:
        return value + "x"
    i = int(rng.integers(1, len(value) - 1))
    kind = int(rng.integers(3))
    if kind == 0:
        return value[:i] + value[i + 1 :]  # deletion
    if kind == 1:
        return value[:i] + value[i + 1] + value[i] + value[i + 2 :]  # transposition
    return value[:i] + str(rng.choice(list("aeiourstnl"))) + value[i + 1 :]  # substitution


def generate(rows: int, seed: int, out: Path) -> BenchFiles:
    """Write the CSV and its ground truth (unless both exist already) and return their paths."""
    files = paths(out, rows, seed)
    if files.csv.exists() and files.truth.exists():
        return files
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    vocab = _vocabulary(rng)
    n_exact, n_near = rows // 20, rows // 20
    n_base = rows - n_exact - n_near

    base: list[list[str]] = []
    base_words: list[list[str]] = []
    for i in range(n_base):
        first, last = str(rng.choice(FIRST)), str(rng.choice(LAST))
        words = _note(rng, vocab) if rng.random() > 0.1 else []
        year, month, day = 2020 + int(rng.integers(6)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
        date = [f"{year}-{month:02d}-{day:02d}", f"{day:02d}/{month:02d}/{year}", f"{day:02d}.{month:02d}.{year}"][int(rng.integers(3))]
        value = f"{rng.integers(0, 5000):,}.{rng.integers(0, 100):02d}"
        base.append(
            [
                f"C-{i:07d}",
                f"{first.title()} {last.title()}",
                f"{first}.{last}{i}@{rng.choice(DOMAINS)}",
                date,
                value,
                _phone(rng),
                str(rng.choice(CITIES)),
                _decorate(words, rng) if words else "",
            ]
        )
        base_words.append(words)
        if rng.random() < 0.3:  # missing values, spelled in several ways
            base[-1][int(rng.integers(3, 7))] = str(rng.choice(NA_SPELLINGS))

    copies: list[list[str]] = []
    originals = rng.integers(0, n_base, n_exact + n_near)
    for k, o in enumerate(originals):
        row = list(base[o])
        if k < n_exact:
            if rng.random() < 0.3:  # equal once whitespace is normalized
                row[1] = f"  {row[1]} "
                row[7] = row[7].replace(" ", "   ", 2)
            copies.append(row)
            continue
        row[0] = f"C-{n_base + k:07d}"  # a new id: the same customer registered again
        if rng.random() < 0.5:
            row[1] = _typo(row[1], rng)
        if rng.random() < 0.3:
            row[2] = _typo(row[2], rng)
        if base_words[o]:  # change one or two plain words of the note, keep its markup and contact details
            tokens = row[7].split(" ")
            plain = [i for i, t in enumerate(tokens) if t.isalpha() and t.islower()]
            for _ in range(1 + int(rng.random() < 0.3)):
                tokens[plain[int(rng.integers(len(plain)))]] = str(rng.choice(vocab))
            row[7] = " ".join(tokens)
        copies.append(row)

    # Copies land after their original: a copy's sort key lies between its original's and 1.
    key = rng.random(n_base)
    copy_key = key[originals] + rng.random(len(originals)) * (1.0 - key[originals])
    order = np.argsort(np.concatenate([key, copy_key]), kind="stable")
    line_of = np.empty(rows, dtype=np.int64)
    line_of[order] = np.arange(rows) + 2  # header is line 1; no field spans lines
    all_rows = base + copies
    tmp = files.csv.with_suffix(".csv.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(all_rows[i] for i in order)
    tmp.replace(files.csv)

    kinds = np.array(["exact"] * n_exact + ["near"] * n_near)
    truth = pd.DataFrame({"line": line_of[n_base:], "kind": kinds, "original_line": line_of[originals]})
    truth.sort_values("line").to_parquet(files.truth, index=False)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=Path(".headwater/bench"))
    args = parser.parse_args()
    files = generate(args.rows, args.seed, args.out)
    print(files.csv, files.truth)


if __name__ == "__main__":
    main()
