"""Large tables keep the near-duplicate state (signatures, band keys) in temporary files, with the same decisions."""

import numpy as np
import pandas as pd
import pytest

import headwater.clean.dedup.minhash as minhash
from headwater.clean.dedup.columns import Vetoes
from headwater.clean.dedup.matching import near_text, text_signatures
from headwater.clean.dedup.minhash import DiskMatrix, signature_store
from headwater.config.dedup import TextDedupOptions


def test_a_disk_matrix_gives_back_rows_in_any_order_and_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(minhash, "READ_WINDOW_BYTES", 3 * 4)  # 3 rows of 4 bytes a window: rows cross windows
    data = np.arange(40, dtype=np.uint8).reshape(10, 4)
    m = DiskMatrix(10, 4, np.uint8)
    m[0:6], m[6:10] = data[:6], data[6:]
    rows = np.array([9, 0, 4, 4, 3, 8, 2])
    assert np.array_equal(m[rows], data[rows])
    assert np.array_equal(m[np.array([], dtype=np.int64)], np.empty((0, 4), np.uint8))
    assert np.array_equal(m[:, 2], data[:, 2]) and len(m) == 10 and m.shape == (10, 4)
    keys = np.array([[1, 2], [3, 4], [5, 2**64 - 1]], dtype=np.uint64)
    b = DiskMatrix(3, 2, np.uint64, by_column=True)
    b[0:1], b[1:3] = keys[:1], keys[1:]
    assert b[:, 1].tolist() == [2, 4, 2**64 - 1] and b[:, 0].dtype == np.uint64


def test_a_disk_matrix_refuses_what_it_cannot_read_or_write() -> None:
    m = DiskMatrix(4, 2, np.uint8)
    with pytest.raises(ValueError, match="rows 0:2 with a block of shape"):
        m[0:2] = np.zeros((3, 2), np.uint8)
    with pytest.raises(IndexError, match="out of range 0..3"):
        m[np.array([4])]
    with pytest.raises(IndexError, match="only m"):
        m[1:2, 0]
    with pytest.raises(IndexError, match="column-stored"):
        DiskMatrix(4, 2, np.uint64, by_column=True)[np.array([0])]


def test_signatures_are_in_memory_up_to_spill_rows_and_on_disk_above(monkeypatch: pytest.MonkeyPatch) -> None:
    sig8, bands = signature_store(10, 16, 4)
    assert isinstance(sig8, np.ndarray) and isinstance(bands, np.ndarray)
    monkeypatch.setattr(minhash, "SPILL_ROWS", 9)
    sig8, bands = signature_store(10, 16, 4)
    assert isinstance(sig8, DiskMatrix) and isinstance(bands, DiskMatrix) and bands.by_column


def _notes(n: int) -> pd.DataFrame:
    """Notes with planted near copies (the last word dropped) and exact copies, and a vetoing city."""
    rng = np.random.default_rng(5)
    vocab = [f"w{i}" for i in range(400)]
    base = [" ".join(rng.choice(vocab, 30)) for _ in range(n)]
    for i in range(0, n, 7):  # a near copy of the row 3 before: its last word dropped (a changed word is vetoed)
        if i >= 3:
            base[i] = base[i - 3].rsplit(" ", 1)[0]
    for i in range(5, n, 13):
        base[i] = base[i - 5]
    city = ["Oslo" if i % 17 else "Lima" for i in range(n)]
    return pd.DataFrame({"notes": pd.Series(base, dtype="string"), "city": pd.Series(city, dtype="string")})


def test_the_near_duplicates_of_a_spilled_table_are_the_in_memory_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = _notes(3000)
    options = TextDedupOptions(threshold=0.8)
    columns = {c: frame[c] for c in frame.columns}
    vetoes = Vetoes.build(columns, ["city"], set(), 0.0)
    sig8, bands, valid = text_signatures(columns, ["notes"], options)
    in_memory = near_text(sig8, bands, valid, vetoes, options, ["notes"])
    monkeypatch.setattr(minhash, "SPILL_ROWS", 100)
    monkeypatch.setattr(minhash, "READ_WINDOW_BYTES", 128 * 200)  # 200 signature rows a window
    sig8_d, bands_d, valid_d = text_signatures(columns, ["notes"], options)
    assert isinstance(sig8_d, DiskMatrix) and isinstance(bands_d, DiskMatrix)
    assert np.array_equal(sig8_d[np.arange(3000)], sig8) and all(np.array_equal(bands_d[:, k], bands[:, k]) for k in range(options.bands))
    spilled = near_text(sig8_d, bands_d, valid_d, vetoes, options, ["notes"])
    assert len(in_memory.duplicates) > 300  # the planted copies are found at all
    assert np.array_equal(spilled.partner, in_memory.partner)
    assert np.array_equal(spilled.similarity, in_memory.similarity, equal_nan=True)
    assert spilled.evidence == in_memory.evidence and spilled.candidates == in_memory.candidates


def _densify_reference(sig: np.ndarray, seed: int, attempts: int) -> np.ndarray:
    """Optimal densification bin by bin (Shrivastava 2017): an empty bin takes the value of the first
    bin its probe sequence finds non-empty on entry; a row with no value stays empty."""
    from headwater.clean.dedup.minhash import EMPTY, _probe_table

    probes = _probe_table(sig.shape[1], seed, attempts)
    out = sig.copy()
    for r in range(sig.shape[0]):
        full = [c for c in range(sig.shape[1]) if sig[r, c] != EMPTY]
        if not full:
            continue
        for c in range(sig.shape[1]):
            if sig[r, c] == EMPTY:
                src = next((int(p) for p in probes[c] if sig[r, p] != EMPTY), full[0])
                out[r, c] = sig[r, src]
    return out


@pytest.mark.parametrize("attempts", [1, 2, 64])
def test_densify_matches_the_bin_by_bin_definition(attempts: int) -> None:
    from headwater.clean.dedup.minhash import EMPTY, _densify

    rng = np.random.default_rng(attempts)
    sig = rng.integers(0, 1000, size=(200, 16)).astype(np.uint32)
    sig[rng.random(sig.shape) < 0.85] = EMPTY
    sig[7] = EMPTY  # an empty text
    sig[8] = EMPTY
    sig[8, 3] = 42  # one shingle: every bin copies it
    expected = _densify_reference(sig, 5, attempts)
    got = _densify(sig.copy(), 5, attempts)
    assert (got == expected).all()
    assert (got[7] == EMPTY).all() and (got[8] == 42).all()
