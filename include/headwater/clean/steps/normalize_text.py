"""Step: decode HTML (markup removed where a value is HTML), repair encoding damage, mask e-mails/phones in prose, tidy whitespace.

A value this step changes keeps what was written in ``<col>__raw`` and says what changed in
``<col>__reason`` (``normalized: html, whitespace``: the ``CHANGE_KINDS`` of headwater.clean.text,
in that order). A value in which a URL, e-mail address or phone number was masked keeps no
``__raw`` (it would hold what the mask hides); its ``__reason`` says ``masked: emails`` (and
``; normalized: ...`` when more changed). A value that was nothing but whitespace (``"   "``,
``"\t"``) becomes the empty value, the blank spelling of a missing value (NullSpellings counts
it); what was written stays in ``__raw`` with the reason ``blank`` (in a fixed layout, spaces are
not an empty cell), counted as ``blank`` in ``text_normalized``.
``changed``/``masked`` count the values per column and kind for the manifest (``summary``).

Payment card numbers and IBANs (headwater.clean.sensitive) are masked the same way (``masked: cards``/``ibans``)
only when ``text.cards``/``text.ibans`` say ``mask``/``remove``; by default (``warn``) the values are kept as written
and counted per column (``sensitive`` / the manifest's ``sensitive_numbers``) with a warning (``warnings``). A column
declared a date, number or boolean is never masked for them, only counted. A card-like number written as an id (an
id code glued to it, ``SO-4000000000000002``, or every value of a column of sequential ids whose name says id:
headwater.clean.sensitive.id_column) is kept as written, counted as ``card_like_id`` and warned of, unless
``text.card_ids: mask``.

Given a ``digest_key``, the step also puts a keyed digest of each masked value as written
(BLAKE2b with that key, 16 bytes: RFC 7693 keyed mode, Python's hashlib) into the transient
``_masked_digest`` column (headwater.clean.steps.base.MASKED_DIGEST), so that exact duplicates and
row ids tell masked rows apart by what was hidden: the same address twice is one record, two
addresses two records. The digest is never written out; without the key nothing guesses an address from it.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from headwater.clean.steps.base import (
    DERIVED_SUFFIXES,
    MASKED_DIGEST,
    StepOutput,
    is_value_column,
    keep_original,
)
from headwater.clean.text import (
    CHANGE_KINDS,
    CONTACT_NAME_RE,
    column_codes,
    contact_column,
    contact_values,
    filled_values,
    prose_column,
    normalize_column,
    stack_groups,
    stack_strings,
    string_series,
)
from headwater.clean.sensitive import (
    CARD_IDS,
    ID_VALUE_RE,
    SENSITIVE_KINDS,
    SENSITIVE_NAMES,
    card_matches,
    cards_in_ibans,
    find_sensitive,
    id_column,
)
from headwater.config.text import TextOptions

# Declared types whose columns are never searched for phone numbers: a date, a date-time or a number is not prose,
# and a mask keeps no ``__raw`` (``2024-03-05 14.30`` masked as ``[PHONE].30`` would be lost: breaker5 #10).
UNMASKED_TYPES = frozenset({"date", "datetime", "integer", "number", "boolean"})
_BLANK_KINDS = frozenset({"whitespace", "trim", "invisible_characters", "line_breaks"})  # what turns a blank value into ''
BLANK_REASON = "blank"  # <col>__reason of a value written as whitespace only, tidied to the empty (missing) value
# <col>__reason of a value written as Excel's text formula ``="00123"`` (exports write it so that Excel keeps leading
# zeros), unwrapped to ``00123``: only that exact shape, the whole field (``=SUM(A1:A3)`` stays as written); a quote
# inside is doubled, as in an Excel string literal (``="a""b"`` is ``a"b``). Breaker4 #17.
EXCEL_TEXT_REASON = "excel_text_formula"
EXCEL_TEXT = r'^="((?:[^"]|"")*)"$'


class NormalizeText:
    """Decode HTML, repair encoding damage, mask e-mails/phones in prose, tidy whitespace in every text value.

    Column at a time (headwater.clean.text.normalize_column): Arrow regex kernels, and the HTML parser / ftfy /
    libphonenumber only for the values that can change under them; which values changed is an array comparison.
    """

    name = "normalize_text"

    def __init__(self, options: TextOptions | None = None, digest_key: bytes | None = None, declared: dict[str, str] | None = None) -> None:
        self.options = options if isinstance(options, TextOptions) else TextOptions()
        # columns declared a date, date-time, number or boolean (``declared``: column -> type): no phone is masked there
        self.typed = frozenset(c for c, kind in (declared or {}).items() if kind in UNMASKED_TYPES)
        # nor is a card number or IBAN masked there (a mask keeps no ``__raw``; a declared number would fail its type):
        # counted and warned of instead
        self.typed_options = self.options.model_copy(
            update={"phones": "keep", **{k: "warn" for k in self.options.sensitive_masks()}}
        )
        # a column that is not a contact column (headwater.clean.text.contact_column) masks a value that is one phone
        # number or e-mail address like any other (breaker7 #5): decided per column, on the first batch where it is filled
        self.prose_options = self.options.model_copy(update={"mask_field_values": True})
        self.contact: dict[str, bool] = {}  # column -> holds contact fields (decided)
        # a column of short values, no contact column, not declared text: a value that is one phone number or e-mail is a
        # field there, left as written (headwater.clean.text.prose_column; linkage would merge two masked addresses)
        self.short: set[str] = set()
        self.declared_text = frozenset(c for c, kind in (declared or {}).items() if kind == "text")
        self.contact_kept: Counter[str] = Counter()  # contact column -> values left unmasked as one phone number or e-mail
        self.digest_key = digest_key  # key of the masked values' digests (at most 64 bytes: BLAKE2b's limit); None: no digest
        self.changed: dict[str, Counter[str]] = {}  # column -> kind -> values changed that way (kept in __raw)
        self.masked: dict[str, Counter[str]] = {}  # column -> urls/emails/phones/cards/ibans -> values masked (no __raw)
        self.sensitive: dict[str, Counter[str]] = {}  # column -> cards/ibans -> values holding one kept as written (warn)
        # column -> holds ids, not card numbers (headwater.clean.sensitive.id_column; decided on its first filled batch):
        # its values that are one card-like id each are kept as written, counted as card_ids
        self.id_columns: dict[str, bool] = {}
        # column -> values whose card number masked as one lies in an IBAN (headwater.clean.sensitive.cards_in_ibans: a
        # card word names it, or text.ibans does not mask; breaker13 F1): warned of (``warnings``)
        self.cards_in_ibans: Counter[str] = Counter()

    def apply(self, df: pd.DataFrame) -> StepOutput:
        """Every text column at once: their values stacked into one Arrow array (headwater.clean.text.stack_strings; one
        stack per headwater.clean.text.STACK_VALUES values, so a long batch goes column by column), ``normalize_column``
        run once over the stack (it works value by value), the values and the change flags cut back per column; only
        a column with a changed or masked value is recorded (``_record``) on its own.

        Equal to ``apply_by_column`` (a test checks it).
        """
        cols = self._text_columns(df)
        if any(c + suffix in df.columns for c in cols for suffix in DERIVED_SUFFIXES):
            return self.apply_by_column(df)  # an earlier step kept texts: merged into them column by column (not in a pipeline)
        results = {}
        self._decide_contact(df, cols)
        aside = self._set_aside(df, cols)
        untyped = [c for c in cols if c not in self.typed]
        groups = [
            ([c for c in untyped if self.contact.get(c) or c in self.short], self.options),
            ([c for c in untyped if not (self.contact.get(c) or c in self.short)], self.prose_options),
            ([c for c in cols if c in self.typed], self.typed_options),
        ]
        for names, options in ((names, options) for group, options in groups for names in self._runs(group, len(df))):
            stack, offsets = stack_strings([aside[c][0] if c in aside else pa.Array.from_pandas(df[c]) for c in names])
            result = normalize_column(stack, options)
            self._count_sensitive(names, result.values, offsets, options)
            flagged = np.zeros(len(names), dtype=bool)
            codes = column_codes(offsets)
            for flags in (*result.changed.values(), *result.masked.values()):
                flagged[codes[flags]] = True
            for k, name in enumerate(names):
                lo, hi = int(offsets[k]), int(offsets[k + 1])
                values = result.values.slice(lo, hi - lo)
                if name in aside:
                    values = _put_back(values, *aside[name][1:])
                if flagged[k]:
                    changed = {kind: f[lo:hi] for kind, f in result.changed.items() if f[lo:hi].any()}
                    masked = {kind: f[lo:hi] for kind, f in result.masked.items() if f[lo:hi].any()}
                    results[name] = (values, changed, masked)
                else:
                    results[name] = (values, {}, {})
        # each changed column recorded in a frame of its own (its value, then what _record adds after it): inserting
        # derived columns into the whole frame costs a rebuild of its column index per insert, quadratic in the columns
        digest = df[MASKED_DIGEST] if MASKED_DIGEST in df.columns else None
        pieces: dict[str, pd.DataFrame] = {}
        for name in cols:
            values, changed, masked = results[name]
            if changed or masked:
                piece = pd.DataFrame({name: string_series(values, df.index)}, index=df.index, copy=False)
                if digest is not None:
                    piece[MASKED_DIGEST] = digest
                self._record(piece, name, df[name], values, changed, masked)
                digest = piece[MASKED_DIGEST] if MASKED_DIGEST in piece.columns else None
                pieces[name] = piece.drop(columns=[MASKED_DIGEST]) if digest is not None else piece
        data: dict[str, pd.Series] = {}
        for name in df.columns:
            if name in pieces:
                data.update({c: pieces[name][c] for c in pieces[name].columns})
            elif name == MASKED_DIGEST:
                data[name] = digest
            else:
                data[name] = string_series(results[name][0], df.index) if name in results else df[name]
        if digest is not None and MASKED_DIGEST not in df.columns:
            data[MASKED_DIGEST] = digest  # created by this step: last, as a column set on the whole frame would be
        out = pd.DataFrame(data, index=df.index, copy=False)  # copy-on-write (pandas 3): ``df`` never sees a change
        out.columns = pd.Index(list(data), dtype=df.columns.dtype)
        self._unwrap_excel_text(out, df, cols)
        return StepOutput(out)

    def apply_by_column(self, df: pd.DataFrame) -> StepOutput:
        """``apply`` one column at a time (``normalize_column`` per column): the reference the stacked path is tested against."""
        out = df.copy(deep=False)  # copy-on-write (pandas 3): the columns set below never reach ``df``
        self._decide_contact(df, self._text_columns(df))
        aside = self._set_aside(df, self._text_columns(df))
        for col in self._text_columns(df):
            written = out[col]
            result = normalize_column(aside[col][0] if col in aside else pa.Array.from_pandas(written), self._options_for(col))
            self._count_sensitive([col], result.values, np.array([0, len(result.values)]), self._options_for(col))
            values = _put_back(result.values, *aside[col][1:]) if col in aside else result.values
            out[col] = pd.Series(pd.arrays.ArrowStringArray(values.cast(pa.large_string())), index=out.index).astype("string")
            if result.changed or result.masked:
                self._record(out, col, written, values, result.changed, result.masked)
        self._unwrap_excel_text(out, df, self._text_columns(df))
        return StepOutput(out)

    def _options_for(self, col: str) -> TextOptions:
        """The options ``col`` is normalized with: no phone masking in a typed column, the contact-field exemption only
        in a contact column (``_decide_contact``)."""
        if col in self.typed:
            return self.typed_options
        return self.options if self.contact.get(col) or col in self.short else self.prose_options

    def _decide_contact(self, df: pd.DataFrame, cols: list[str]) -> None:
        """Decide, once per column (the first batch where it has a filled value, or its name says so), whether each
        untyped column of ``cols`` holds contact fields (headwater.clean.text.contact_column), unless
        ``mask_field_values`` masks them everywhere; count in ``contact_kept`` the values of this batch that a contact
        column leaves unmasked (headwater.clean.text.contact_values)."""
        if self.options.mask_field_values:
            return
        kinds = [k for k in self.options.pii_actions() if k in ("phones", "emails")]
        for col in cols:
            if col in self.typed or not kinds:
                continue
            if col not in self.contact:
                array = pa.Array.from_pandas(df[col].astype("string"))
                filled = None if re.search(CONTACT_NAME_RE, col) else filled_values(array)  # one pass for both decisions
                decided = contact_column(col, array, filled)
                if decided is None:
                    continue
                self.contact[col] = decided
                if not decided and col not in self.declared_text and not prose_column(array, filled):
                    self.short.add(col)
            if self.contact[col]:
                self.contact_kept[col] += contact_values(pa.Array.from_pandas(df[col].astype("string")), kinds)

    def _set_aside(self, df: pd.DataFrame, cols: list[str]) -> dict[str, tuple[pa.Array, pa.Array, np.ndarray]]:
        """Per untyped column of ``cols`` that holds ids (``id_columns``, decided here on its first batch with a filled
        value: headwater.clean.sensitive.id_column), when card numbers are looked for: its values as an Arrow array with
        every value that is one card-like id (``ID_VALUE_RE`` and a card number by ``card_matches``) made null, so that
        no mask touches it, the values as written, and where those are; they are counted as ``card_ids``."""
        out: dict[str, tuple[pa.Array, pa.Array, np.ndarray]] = {}
        if self.options.cards == "keep" or self.options.card_ids == "mask":
            return out
        for col in cols:
            if col in self.typed:
                continue
            if col not in self.id_columns:
                written = pa.Array.from_pandas(df[col].astype("string"))
                if not pc.any(pc.is_valid(written)).as_py():
                    continue
                self.id_columns[col] = id_column(col, written)
            if not self.id_columns[col]:
                continue
            written = pa.Array.from_pandas(df[col])
            bare = pc.fill_null(pc.match_substring_regex(written, ID_VALUE_RE), False).to_numpy(zero_copy_only=False).copy()
            at = np.flatnonzero(bare)
            if not len(at):
                continue
            bare[at] = [bool(card_matches(v)) for v in pc.take(written, pa.array(at)).to_pylist()]
            if bare.any():
                self.sensitive.setdefault(col, Counter())[CARD_IDS] += int(bare.sum())
                out[col] = (pc.if_else(pa.array(bare), pa.scalar(None, written.type), written), written, bare)
        return out

    def _count_sensitive(self, names: list[str], values: pa.Array, offsets: np.ndarray, options: TextOptions) -> None:
        """Count in ``sensitive`` the values of each column of ``names`` (``values`` stacked, column k at
        ``offsets[k]:offsets[k+1]``) that hold a card number or IBAN ``options`` warns of (headwater.clean.sensitive)."""
        kinds = list(options.sensitive_warned())
        if options.card_ids == "mask" and "cards" in kinds:
            kinds[kinds.index("cards")] = "cards_and_ids"  # text.card_ids: mask: an id-like card number is one
        elif options.cards != "keep" and options.card_ids == "warn":
            kinds.append(CARD_IDS)
        found = find_sensitive(values, kinds)
        if "cards_and_ids" in found:
            found["cards"] = found.pop("cards_and_ids")
        for kind, where in found.items():
            counts = np.add.reduceat(where.astype(np.int64), np.asarray(offsets[:-1], dtype=np.int64)) if len(where) else []
            for k, name in enumerate(names):
                n = int(counts[k]) if int(offsets[k + 1]) > int(offsets[k]) else 0
                if n:
                    self.sensitive.setdefault(name, Counter())[kind] += n

    def sensitive_numbers(self) -> dict[str, dict[str, int]]:
        """The manifest's ``sensitive_numbers``: column -> ``payment_card``/``iban`` -> values holding one, kept as
        written (``warn``) or masked (``text_masked``'s ``cards``/``ibans``)."""
        out: dict[str, Counter[str]] = {}
        for source in (self.sensitive, self.masked):
            for col, counts in source.items():
                for kind in (*SENSITIVE_KINDS, CARD_IDS):
                    if counts.get(kind):
                        out.setdefault(col, Counter())[SENSITIVE_NAMES[kind]] += counts[kind]
        return {c: dict(sorted(n.items())) for c, n in sorted(out.items())}

    def warnings(self) -> list[str]:
        """One line per contact column that left values unmasked because each is one whole phone number or e-mail
        address (breaker7 #5), with the count; not for a column whose name says it is one (``email``, ``phone``: no
        news to the user, every day). One per column whose HTML lost words no element's markup held
        (``html_text_dropped``: headwater.clean.text.html_text; breaker11 H1), with the count; one per column whose HTML
        lost a start tag never closed, with no attributes, not glued to letters on both sides (``html_unclosed_tag``:
        headwater.clean.text.html_text_changes; html16: a placeholder such as ``<dir>`` in an HTML value), with the count.
        One per column where a number that is both an IBAN and, in its account number, a card number was masked as a
        card (``cards_in_ibans``: a card word names it, or IBANs are not masked; breaker13 F1), with the count."""
        lines = [
            f"{col}: {n} value(s) that are one whole phone number or e-mail address were left unmasked as contact fields "
            f"(most of {col}'s values are one); set text.mask_field_values to mask them"
            for col, n in sorted(self.contact_kept.items())
            if n and not re.search(CONTACT_NAME_RE, col)
        ]
        for col, counts in sorted(self.changed.items()):
            if counts.get("html_text_dropped"):
                lines.append(
                    f"{col}: {counts['html_text_dropped']} value(s) lost words outside any HTML element's markup when their "
                    f"HTML was converted to text (a processing instruction, a bogus comment or CDATA section, or text read as "
                    f"a tag); the value as written is in {col}__raw, reason html_text_dropped"
                )
            if counts.get("html_unclosed_tag"):
                lines.append(
                    f"{col}: {counts['html_unclosed_tag']} HTML value(s) lost a tag never closed and written with no attributes "
                    f"(<dir>, <time>, <b> in prose may be a placeholder, not markup); the value as written is in {col}__raw, "
                    f"reason html_unclosed_tag"
                )
        for col, n in sorted(self.cards_in_ibans.items()):
            lines.append(
                f"{col}: {n} value(s) holding an IBAN (check digits valid) whose account number is also a payment card "
                f"number (a card network's prefix, Luhn valid) had that number masked as a card, [CARD], the country code "
                f"and check digits kept: a card word names it, or text.ibans does not mask IBANs (set text.ibans: mask to "
                f"mask such a number whole as [IBAN] where no card word names it)"
            )
        for col, counts in sorted(self.sensitive.items()):
            if counts.get(CARD_IDS):
                why = ("the column's name says id and its values are sequential ids of one length" if self.id_columns.get(col)
                       else "an id's letter code and a hyphen glued to each, as in SO-4000000000000002")  # fmt: skip
                lines.append(
                    f"{col}: {counts[CARD_IDS]} value(s) holding a card-like number (a card network's prefix, Luhn valid) read as "
                    f"an id ({why}), kept as written, unmasked; set text.card_ids: mask if they may be card numbers"
                )
            if not any(counts.get(k) for k in SENSITIVE_KINDS):
                continue
            held = [f"{counts[k]} value(s) holding {'a payment card number' if k == 'cards' else 'an IBAN'}" for k in SENSITIVE_KINDS if counts.get(k)]
            keys = " / ".join(f"text.{k}: mask" for k in SENSITIVE_KINDS if counts.get(k))
            lines.append(
                f"{col}: {' and '.join(held)} (check digit valid) kept as written, unmasked (they go to chunks and vectors); "
                f"set {keys} to mask them"
            )
        return lines

    def _unwrap_excel_text(self, out: pd.DataFrame, df: pd.DataFrame, cols: list[str]) -> None:
        """In ``out`` (in place): every value of ``cols`` that is Excel's text formula (``EXCEL_TEXT``: ``="00123"``) becomes
        the text inside (``00123``); what was written (``df``, as this step received it) is kept in ``<col>__raw`` with the
        reason ``excel_text_formula``, counted in ``changed`` (the manifest's ``text_normalized``)."""
        for col in cols:
            values = out[col].astype("string")
            wrapped = values.str.startswith('="').fillna(False).to_numpy(dtype=bool)
            if not wrapped.any():
                continue
            inner = values[wrapped].str.extract(EXCEL_TEXT, expand=False)
            at = np.flatnonzero(wrapped)[inner.notna().to_numpy(dtype=bool)]
            if not len(at):
                continue
            where = np.zeros(len(out), dtype=bool)
            where[at] = True
            unwrapped = values.copy()
            unwrapped.iloc[at] = inner.dropna().str.replace('""', '"', regex=False).to_numpy()
            out[col] = unwrapped
            keep_original(out, col, where, df[col], EXCEL_TEXT_REASON)
            self.changed.setdefault(col, Counter())[EXCEL_TEXT_REASON] += len(at)

    @staticmethod
    def _runs(cols: list[str], rows: int) -> list[list[str]]:
        """``cols`` cut into the runs stacked together (headwater.clean.text.stack_groups)."""
        return [[cols[i] for i in run] for run in stack_groups([rows] * len(cols))]

    def _text_columns(self, df: pd.DataFrame) -> list[str]:
        """The value columns this step normalizes: text (string or object dtype), among ``options.columns`` when set."""
        wanted = self.options.columns
        return [c for c in df.columns if is_value_column(c) and (wanted is None or c in wanted) and _is_text(df[c])]

    def _record(
        self, out: pd.DataFrame, col: str, written: pd.Series, values: pa.Array, changed: dict[str, np.ndarray], masked: dict[str, np.ndarray]
    ) -> None:
        n = len(out)
        kinds = [k for k in CHANGE_KINDS if k in changed]
        pii = sorted(masked)
        # A blank value tidied to '' is the blank missing-value spelling, not a changed value.
        blank = pc.fill_null(pc.equal(values, ""), False).to_numpy(zero_copy_only=False)
        if blank.any():
            only_ws = np.ones(n, dtype=bool)
            for k in kinds:
                if k not in _BLANK_KINDS:
                    only_ws &= ~changed[k]
            blank &= only_ws & (written.astype("string") != "").fillna(False).to_numpy(dtype=bool)
            changed = {k: m & ~blank for k, m in changed.items()}
            keep_original(out, col, blank, written, BLANK_REASON)
            if blank.any():
                self.changed.setdefault(col, Counter())[BLANK_REASON] += int(blank.sum())
        # one bit per kind: the rows' reasons are the few distinct codes, spelled once each
        code = np.zeros(n, dtype=np.int64)
        for bit, k in enumerate(pii + kinds):
            code |= (masked[k] if k in masked else changed[k]).astype(np.int64) << bit
        if not code.any():
            return
        codes, at = np.unique(code, return_inverse=True)
        labels: list[str | None] = []
        for c in codes.tolist():
            hidden = [k for bit, k in enumerate(pii) if c >> bit & 1]
            seen = [k for bit, k in enumerate(kinds, start=len(pii)) if c >> bit & 1]
            parts = ([f"masked: {', '.join(hidden)}"] if hidden else []) + ([f"normalized: {', '.join(seen)}"] if seen else [])
            labels.append("; ".join(parts) or None)
        reason = np.array(labels, dtype=object)[at]  # each distinct reason spelled once
        hid = np.zeros(n, dtype=bool)
        for m in masked.values():
            hid |= m
        any_change = code != 0
        keep_original(out, col, any_change & ~hid, written, None)
        keep_original(out, col, any_change, None, reason)
        if self.digest_key is not None and hid.any():
            self._digest(out, col, written, hid)
        counts = self.changed.setdefault(col, Counter())
        for k in kinds:
            counts[k] += int(changed[k].sum())
        for k in pii:
            self.masked.setdefault(col, Counter())[k] += int(masked[k].sum())
        if "cards" in masked:
            self._count_cards_in_ibans(col, written, masked["cards"])
        if not +counts:
            self.changed.pop(col)

    def _count_cards_in_ibans(self, col: str, written: pd.Series, where: np.ndarray) -> None:
        """Count in ``cards_in_ibans`` the values of ``col`` at ``where`` (a card number masked in them) whose card
        number, as written (``written``), lies in an IBAN and was read as a card (headwater.clean.sensitive.cards_in_ibans,
        with IBANs masked or not as ``col``'s options say)."""
        iban_wins = "ibans" in self._options_for(col).sensitive_masks()
        texts = written[where].astype("string").dropna().tolist()
        n = sum(1 for t in texts if cards_in_ibans(t, iban_wins))
        if n:
            self.cards_in_ibans[col] += n

    def _digest(self, out: pd.DataFrame, col: str, written: pd.Series, hid: np.ndarray) -> None:
        """Add ``col=<keyed BLAKE2b of the value as written>`` to ``out[MASKED_DIGEST]`` at the rows ``hid`` (in place)."""
        key = self.digest_key
        texts = written[hid].astype("string").tolist()
        digests = {t: hashlib.blake2b(t.encode("utf-8"), key=key, digest_size=16).hexdigest() for t in set(texts)}
        new = pd.Series(pd.NA, index=out.index, dtype="string")
        new[hid] = [f"{col}={digests[t]}" for t in texts]
        if MASKED_DIGEST in out.columns:
            old = out[MASKED_DIGEST].astype("string")
            out[MASKED_DIGEST] = old.fillna(new).mask(old.notna() & new.notna(), old + "; " + new)
        else:
            out[MASKED_DIGEST] = new

    def summary(self) -> dict[str, dict[str, dict[str, int]]]:
        """The manifest's ``text_normalized`` (column -> kind or ``blank`` -> values changed, their text in ``__raw``),
        ``text_masked`` (column -> urls/emails/phones/cards/ibans -> values masked, no ``__raw``), kinds sorted (the
        manifest's ``sensitive_numbers`` is ``sensitive_numbers``)."""
        return {
            "text_normalized": {c: dict(sorted((k, v) for k, v in n.items() if v)) for c, n in self.changed.items()},
            "text_masked": {c: dict(sorted(n.items())) for c, n in self.masked.items()},
        }


def _put_back(values: pa.Array, written: pa.Array, where: np.ndarray) -> pa.Array:
    """``values`` with the values as ``written`` where ``where`` (the card-like ids ``NormalizeText._set_aside`` set aside)."""
    return pc.if_else(pa.array(where), written.cast(values.type), values)


def _is_text(series: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(series.dtype) or series.dtype == object
