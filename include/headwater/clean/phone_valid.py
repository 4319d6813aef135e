"""libphonenumber's valid-number verdict, computed with fewer regex calls: the same answer, for phone masking (issue 15).

``PhoneNumberMatcher`` (``Leniency.VALID``) parses every candidate run it finds and asks
``phonenumbers.is_valid_number`` of it. For a calling code shared by several regions that call walks
the regions in the library's order (``_region_code_for_number_from_list``: a region with
``leading_digits`` is chosen when they match the start of the national significant number, one
without when the number is of a known type there, ``_number_type_helper``), then asks the region
found for a type again; a ``+1`` number with an invalid area code tries all 25 NANP regions one by
one, and a piece of four digits (the matcher's inner matches) as well. ``valid_number`` gives the
same verdict with the regions' patterns compiled once per calling code:

* a region's "of a known type" test (``_number_type_helper(nsn, metadata) != UNKNOWN``) is its general
  description matching (length, then the whole pattern), and then any of its type descriptions matching,
  each with its own length check; ``mobile`` only when ``same_mobile_and_fixed_line_pattern`` is false
  (the library tests the types in turn and stops at the first match; which one matched does not decide
  validity). The type patterns whose lengths allow the number's length are joined into one alternation
  per length, matched whole (``fullmatch`` of ``(?:a)|(?:b)`` holds exactly when one of them does);
* consecutive regions with ``leading_digits`` are one alternation of named groups, in the library's
  order, matched at the start (``re`` tries the alternatives left to right: the first region whose
  leading digits match is the one found, as in the loop);
* a number whose length no region of its code allows, or that no region's general pattern matches
  whole, is of no known type anywhere under its code: invalid at once.

The patterns are the library's own metadata (``PhoneMetadata``), read at first use per calling code. A
calling code whose metadata holds a pattern this reading cannot join safely (a back-reference, an inline
flag, a region without metadata) is answered by ``phonenumbers.is_valid_number`` itself. Read from
phonenumbers 9.0.43 (``phonenumberutil.py``: ``is_valid_number``, ``region_code_for_number``,
``_region_code_for_number_from_list``, ``is_valid_number_for_region``, ``_number_type_helper``,
``_is_number_matching_desc``, ``_match_national_number``); tests compare the verdicts with the
library's on every region's example numbers and generated invalid ones
(tests/include/headwater/clean/test_phone_valid.py).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import REGION_CODE_FOR_NON_GEO_ENTITY

# The type descriptions ``_number_type_helper`` tests after the general one, in its order (``mobile`` last, skipped
# when the metadata says its pattern is the fixed-line one).
_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail", "fixed_line")
_UNSAFE = re.compile(r"\(\?[^:]|\\[1-9]")  # an inline flag, a named group, a lookaround, a back-reference


@dataclass(frozen=True)
class _Region:
    """One region's "of a known type" test: its general description (lengths, pattern) and, per number length,
    the alternation of the type patterns whose lengths allow it (None: no type can match at that length)."""

    code: str
    general_lengths: frozenset[int] | None  # None: no length listed (any length)
    general: re.Pattern[str]
    types_by_length: dict[int, re.Pattern[str] | None]
    types_any: re.Pattern[str] | None  # the descriptions with no length listed, for lengths not in types_by_length

    def known_type(self, nsn: str) -> bool:
        """``_number_type_helper(nsn, metadata) != PhoneNumberType.UNKNOWN``."""
        if self.general_lengths is not None and len(nsn) not in self.general_lengths:
            return False
        if self.general.fullmatch(nsn) is None:
            return False
        n = len(nsn)
        pattern = self.types_by_length[n] if n in self.types_by_length else self.types_any
        return pattern is not None and pattern.fullmatch(nsn) is not None


def _desc_ok(desc) -> bool:  # type: ignore[no-untyped-def]
    return desc is not None and bool(desc.national_number_pattern)


def _region(code: str, metadata) -> _Region | None:  # type: ignore[no-untyped-def]
    """``metadata``'s test as a ``_Region``; None when it cannot be joined safely (the library answers)."""
    general = metadata.general_desc
    if not _desc_ok(general) or _UNSAFE.search(general.national_number_pattern):
        return None
    names = list(_TYPES) + ([] if metadata.same_mobile_and_fixed_line_pattern else ["mobile"])
    descs = [getattr(metadata, name) for name in names]
    descs = [d for d in descs if _desc_ok(d)]
    if any(_UNSAFE.search(d.national_number_pattern) for d in descs):
        return None
    lengthed = tuple((frozenset(d.possible_length), d.national_number_pattern) for d in descs if len(d.possible_length) > 0)
    free = [d.national_number_pattern for d in descs if len(d.possible_length) == 0]

    def join(patterns: list[str]) -> re.Pattern[str] | None:
        return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None

    lengths = sorted({n for ls, _ in lengthed for n in ls})
    by_length = {n: join([p for ls, p in lengthed if n in ls] + free) for n in lengths}
    glen = frozenset(general.possible_length) if len(general.possible_length) > 0 else None
    return _Region(code, glen, re.compile(general.national_number_pattern), by_length, join(free))


@dataclass(frozen=True)
class _Plan:
    """A calling code's regions in the library's order, as steps: ``("lead", pattern, names)`` for a run of regions
    with leading digits (one alternation, a named group per region), ``("full", region)`` for one without."""

    steps: tuple[tuple, ...]
    regions: dict[str, _Region]
    single: bool
    lengths: frozenset[int] | None  # every length some region's general description allows (None: any)
    general: re.Pattern[str]  # every region's general pattern, one alternation


@functools.lru_cache(maxsize=None)
def _plan(country_code: int) -> _Plan | None:
    """The plan of ``country_code``; None when it has no regions or cannot be read safely (the library answers)."""
    codes = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not codes:
        return None
    single = len(codes) == 1
    regions: dict[str, _Region] = {}
    steps: list[tuple] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        if run:
            pattern = re.compile("|".join(f"(?P<r{i}>{lead})" for i, (_, lead) in enumerate(run)))
            steps.append(("lead", pattern, {f"r{i}": code for i, (code, _) in enumerate(run)}))
            run.clear()

    for code in codes:
        if single:
            metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, code.upper())
        elif code == REGION_CODE_FOR_NON_GEO_ENTITY:
            return None  # never in a shared code's list in 9.0.43; not read here if it were
        else:
            metadata = PhoneMetadata.metadata_for_region(code.upper(), None)
        if metadata is None:
            return None
        if code != REGION_CODE_FOR_NON_GEO_ENTITY and phonenumbers.country_code_for_valid_region(code) != country_code:
            return None
        region = _region(code, metadata)
        if region is None:
            return None
        regions[code] = region
        if single:
            continue
        if metadata.leading_digits is not None:
            if _UNSAFE.search(metadata.leading_digits):
                return None
            run.append((code, metadata.leading_digits))
        else:
            flush()
            steps.append(("full", region))
    flush()
    lengths: frozenset[int] | None = frozenset()
    for region in regions.values():
        lengths = None if lengths is None or region.general_lengths is None else lengths | region.general_lengths
    general = re.compile("|".join(f"(?:{r.general.pattern})" for r in regions.values()))
    return _Plan(tuple(steps), regions, single, lengths, general)


def _valid_nsn(plan: _Plan, nsn: str) -> bool:
    """``is_valid_number`` of a number with the calling code of ``plan`` and the national significant number ``nsn``."""
    if plan.lengths is not None and len(nsn) not in plan.lengths:
        return False  # no region's general description allows the length: of no known type anywhere
    if plan.general.fullmatch(nsn) is None:
        return False  # ... or no region's general pattern matches it whole
    if plan.single:
        return next(iter(plan.regions.values())).known_type(nsn)
    for step in plan.steps:
        if step[0] == "lead":
            m = step[1].match(nsn)
            if m is not None:
                code = next(step[2][name] for name, value in m.groupdict().items() if value is not None)
                return plan.regions[code].known_type(nsn)
        elif step[1].known_type(nsn):
            return True  # found by its type: is_valid_number_for_region asks the same test again
    return False  # no region: is_valid_number_for_region(numobj, None) is False


def valid_number(numobj: phonenumbers.PhoneNumber) -> bool:
    """``phonenumbers.is_valid_number(numobj)``, faster (module docstring)."""
    plan = _plan(numobj.country_code)
    if plan is None:
        return phonenumbers.is_valid_number(numobj)
    return _valid_nsn(plan, phonenumbers.national_significant_number(numobj))


def valid_national(country_code: int, nsn: str) -> bool | None:
    """``is_valid_number`` of a number with ``country_code`` and the national significant number ``nsn`` (ASCII digits,
    no leading zero); None when the plan of ``country_code`` cannot be read (ask the library with a parsed number)."""
    plan = _plan(country_code)
    return None if plan is None else _valid_nsn(plan, nsn)
