"""Rules that span applications (§3): duplicates, similar summaries, quotas, persons, the member list.

A pure function of the batch's entries: each entry is one input file with its registration number and the
fields its own check extracted. Findings are keyed by registration number, because the same file under two
names is one application.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import heapq
import io
import re
import unicodedata
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.calls import Call
from pipeline.check.dispatch import Problem, Registry, problem, stamp
from pipeline.check.values import parse_date
from pipeline.errors import PipelineError
from pipeline.fileio import decode_csv, read_reason
from pipeline.model import Finding, Location
from pipeline.text import nfkc, nfkc_no_spaces, no_spaces


@dataclass(frozen=True)
class Entry:
    """One input file of a batch: where it was, its number, and what its own check read from it."""

    path: str
    reg_no: str
    sha256: str
    fields: dict[str, Any]
    locations: dict[str, Location] = field(default_factory=dict)


@dataclass(frozen=True)
class Member:
    """A row of the member list."""

    number: str
    name: str
    credit_code: str


class MemberListError(PipelineError):
    """The member list CSV cannot be read."""


def normalize_name(text: str) -> str:
    """Names compared as people mean them: NFKC, no whitespace, no punctuation or symbols."""
    text = nfkc(text or "")
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] not in "PSZ").lower()


def _norm_code(code: Any) -> str:
    return no_spaces(str(code or "")).upper()


def _norm_birth(text: Any) -> str:
    d = parse_date(str(text or ""))
    return d.iso() if d else no_spaces(str(text or ""))


_NAMED = 3  # how many other applications a message names before "and N more"


def _refs(entries: Sequence[Entry], lang: str) -> str:
    """Other applications by registration number only: the message may reach an applicant (letters), and other
    applicants' file names are not theirs to see; staff find the files in the summary."""
    numbers = sorted(e.reg_no for e in entries)
    shown = numbers[:_NAMED]
    if lang == "zh":
        return "、".join(shown) + (f"等{len(numbers)}份" if len(numbers) > _NAMED else "")
    return ", ".join(shown) + (f" and {len(numbers) - _NAMED} more" if len(numbers) > _NAMED else "")


# -- similar summaries: a shingle prefilter, then difflib's ratio on the candidates ----------------------------

_SHINGLE = 3
_SKETCH = 32
_RARE_MAX = 100  # texts a trigram may be in and still be rare (see similar_pairs)


def _shingles(text: str) -> set[str]:
    return {text[i:i + _SHINGLE] for i in range(max(len(text) - _SHINGLE + 1, 0))}


SimilarityCache = MutableMapping[tuple[str, str], tuple[float, "float | None"]]


def _key(clean: str) -> str:
    """A summary's identity for the similarity cache: a digest of its text without whitespace."""
    return hashlib.blake2b(clean.encode("utf-8"), digest_size=16).hexdigest()


def similar_pairs(texts: Sequence[str], threshold: float, cache: SimilarityCache | None = None,
                  ) -> list[tuple[int, int, float]]:
    """Index pairs whose texts have difflib ratio >= threshold (after removing whitespace).

    Comparing every pair is quadratic in difflib's already quadratic ratio. Candidates come first from a
    bottom-k sketch of each text's rarer character trigrams (phrases every application uses say nothing);
    only pairs sharing a good part of their sketch are compared exactly. `cache` maps a pair of text keys to
    (difflib's upper bound, the ratio or None when the bound already ruled it out): a re-run compares only pairs
    it has not seen (the registry keeps it).
    """
    clean = [nfkc_no_spaces(t) for t in texts]
    keys = [_key(t) for t in clean] if cache is not None else []
    sets = [_shingles(t) for t in clean]
    df = Counter(s for st in sets for s in st)
    # a trigram in more than a twentieth of the round, or in more than _RARE_MAX texts, is a common phrase: with
    # that cap each sketch value's bucket stays small, and finding the candidates stays linear in the round's size
    # (a bound growing with the round made it quadratic: minutes and gigabytes at 10,000 applications)
    common = min(max(3, len(texts) // 20), _RARE_MAX)
    # crc32 of each distinct rare trigram, once: deterministic across processes (hash() is not, and the
    # candidates must not vary between runs)
    code = {g: zlib.crc32(g.encode()) for g, n in df.items() if n <= common}
    index: dict[int, list[int]] = defaultdict(list)
    sketches: list[set[int]] = []
    for i, st in enumerate(sets):
        rare = [code[g] for g in st if g in code] or [zlib.crc32(g.encode()) for g in st]
        sketch = set(heapq.nsmallest(_SKETCH, rare))
        sketches.append(sketch)
        for v in sketch:
            index[v].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for members in index.values():
        if len(members) > _RARE_MAX:  # a text of common phrases only (its sketch falls back to them): says nothing
            continue
        for a_pos, a in enumerate(members):
            for b in members[a_pos + 1:]:
                shared[(a, b)] += 1
    out = []
    for (a, b), n in sorted(shared.items()):
        if n < min(len(sketches[a]), len(sketches[b])) // 4 or not clean[a] or not clean[b]:
            continue
        # Cheap bounds first. A ratio of 0.9 leaves at most a tenth of either text unmatched, and each unmatched
        # character breaks at most three trigrams, so such texts share at least half of the smaller trigram set
        # (set operations run in C); then difflib's own upper bounds, then the ratio itself.
        if len(sets[a] & sets[b]) < 0.5 * min(len(sets[a]), len(sets[b])):
            continue
        pair = (min(keys[a], keys[b]), max(keys[a], keys[b])) if cache is not None else None
        bound, ratio = cache.get(pair, (None, None)) if cache is not None and pair else (None, None)
        if bound is None or (ratio is None and bound >= threshold):
            m = difflib.SequenceMatcher(None, clean[a], clean[b], autojunk=False)
            bound = min(m.real_quick_ratio(), m.quick_ratio())
            ratio = m.ratio() if bound >= threshold else None
            if cache is not None and pair:
                cache[pair] = (bound, ratio)
        if ratio is not None and ratio >= threshold:
            out.append((a, b, ratio))
    return out


# -- the member list --------------------------------------------------------------------------------------------

_MEMBER_HEADERS = {"number": ("会员编号", "member_no", "编号"), "name": ("单位名称", "name", "会员单位"),
                   "credit_code": ("统一社会信用代码", "credit_code", "信用代码")}


def read_members(path: Path) -> dict[str, Member]:
    """The member list CSV (会员编号, 单位名称, 统一社会信用代码): UTF-8 (BOM or not) or GBK as Excel saves it."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        zh, en = read_reason(e)
        raise MemberListError(f"无法读取会员名录 {path}：{zh}", f"cannot read the member list {path}: {en}") from None
    text = decode_csv(raw)
    if text is None:
        raise MemberListError(f"会员名录 {path} 的编码无法识别（应为 UTF-8 或 GBK）",
                              f"the member list {path} is neither UTF-8 nor GBK")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise MemberListError(f"会员名录 {path} 是空的", f"the member list {path} is empty")
    header = [h.strip() for h in rows[0]]
    cols: dict[str, int] = {}
    for key, names in _MEMBER_HEADERS.items():
        for i, h in enumerate(header):
            if h in names:
                cols[key] = i
                break
    missing = [names[0] for key, names in _MEMBER_HEADERS.items() if key not in cols and key != "credit_code"]
    if missing:
        raise MemberListError(f"会员名录 {path} 缺少列：{'、'.join(missing)}"
                              "（表头应为：会员编号,单位名称,统一社会信用代码）",
                              f"the member list {path} lacks the column(s) {', '.join(missing)}")
    members: dict[str, Member] = {}
    for row in rows[1:]:
        if not any(c.strip() for c in row):
            continue

        def cell(key: str, row: list[str] = row) -> str:
            i = cols.get(key)
            return row[i].strip() if i is not None and i < len(row) else ""

        number = cell("number")
        if number:
            members[number] = Member(number, cell("name"), _norm_code(cell("credit_code")))
    return members


# -- the rules ---------------------------------------------------------------------------------------------------
# Each rule reads the Batch and yields (entry, Problem) pairs; batch_findings stamps them. Field ids come from the
# call's roles, the numbers from its `batch:` block (each rule declares which keys it takes).


@dataclass(frozen=True)
class Batch:
    """What a rule across applications reads: the input files grouped by content, the applications (the first
    file of each content, when it was read), the call, and the member list when one was given."""

    copies: Sequence[Sequence[Entry]]
    apps: Sequence[Entry]
    call: Call
    members: dict[str, Member] | None = None
    # pairs of summaries already compared (the registry keeps it): a cache, never a finding
    similarity: SimilarityCache | None = None


Flag = tuple[Entry, Problem]
BatchRuleFn = Callable[[Batch, dict[str, Any]], Iterable[Flag]]
BATCH_RULES: Registry[BatchRuleFn] = Registry()


def batch_rule(name: str, params: Mapping[str, str] | None = None) -> Callable[[BatchRuleFn], BatchRuleFn]:
    """Register a rule across applications; its parameters are keys of call.yaml `batch:` (BatchSettings), by
    kind as in RULE_PARAMS. The rules run in the order they are registered."""
    return BATCH_RULES.rule(name, params or {})


def batch_params(call: Call, params: Mapping[str, str]) -> dict[str, Any]:
    """A batch rule's parameters as the call sets them (call.batch, defaults in BatchSettings)."""
    return {name: getattr(call.batch, name) for name in params}


def batch_findings(entries: Sequence[Entry], call: Call, members: dict[str, Member] | None = None,
                   similarity: SimilarityCache | None = None) -> dict[str, list[Finding]]:
    """Every §3 finding of the batch, keyed by registration number (in a stable order): each registered rule's
    problems with the catalogue's severity and the location of the field in that entry's file."""
    by_sha: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        by_sha[e.sha256].append(e)
    copies = list(by_sha.values())
    batch = Batch(copies, [group[0] for group in copies if group[0].fields], call, members, similarity)
    out: dict[str, list[Finding]] = defaultdict(list)
    for r in BATCH_RULES:
        for e, found in r.fn(batch, batch_params(call, r.params)):
            out[e.reg_no].append(stamp(found, call, e.locations.get(found.field) if found.field else None))
    return dict(out)


@batch_rule("duplicate_file")
def duplicate_file(batch: Batch, p: dict[str, Any]) -> Iterator[Flag]:
    """The same bytes under several names: one application, one warning naming the other names."""
    for group in batch.copies:
        if len(group) > 1:
            paths = [e.path for e in group]
            yield group[0], problem("batch.duplicate_file", other="、".join(paths[1:]), other_en=", ".join(paths[1:]),
                                    actual=paths[0])


@batch_rule("duplicate_project")
def duplicate_project(batch: Batch, p: dict[str, Any]) -> Iterator[Flag]:
    """Applications with the same project name (as people read names), each naming the others."""
    name = batch.call.roles.project_name
    groups: dict[str, list[Entry]] = defaultdict(list)
    for e in batch.apps:
        key = normalize_name(str(e.fields.get(name) or ""))
        if key:
            groups[key].append(e)
    for group in groups.values():
        if len(group) > 1:
            for e in group:
                others = [o for o in group if o is not e]
                yield e, problem("batch.duplicate_project", name, actual=e.fields.get(name),
                                 other=_refs(others, "zh"), other_en=_refs(others, "en"))


@batch_rule("similar_summary", {"similar_summary": "num"})
def similar_summary(batch: Batch, p: dict[str, Any]) -> Iterator[Flag]:
    """One warning per application, naming the others its summary is nearly identical to, with the highest ratio."""
    summary, threshold = batch.call.roles.summary, p["similar_summary"]
    with_text = [e for e in batch.apps if str(e.fields.get(summary) or "").strip()]
    similar: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for a, b, ratio in similar_pairs([str(e.fields[summary]) for e in with_text], threshold, batch.similarity):
        similar[a].append((b, ratio))
        similar[b].append((a, ratio))
    for i in sorted(similar):
        e = with_text[i]
        others = [with_text[j] for j, _ in similar[i]]
        top = max(r for _, r in similar[i])
        yield e, problem("batch.similar_summary", summary, expected=threshold, actual=round(top, 2),
                         other=_refs(others, "zh"), other_en=_refs(others, "en"))


@batch_rule("unit_quota", {"max_per_applicant": "int"})
def unit_quota(batch: Batch, p: dict[str, Any]) -> Iterator[Flag]:
    """More applications from one applicant (by credit code) than the call allows: each of them is named."""
    roles, limit = batch.call.roles, p["max_per_applicant"]
    groups: dict[str, list[Entry]] = defaultdict(list)
    for e in batch.apps:
        code = _norm_code(e.fields.get(roles.applicant_code))
        if code:
            groups[code].append(e)
    for group in groups.values():
        if len(group) > limit:
            for e in group:
                who = e.fields.get(roles.applicant_name) or str(e.fields.get(roles.applicant_code) or "")
                yield e, problem("batch.unit_quota", roles.applicant_code, expected=limit, actual=who,
                                 count=len(group))


@batch_rule("person_limit", {"max_per_person": "int"})
def person_limit(batch: Batch, p: dict[str, Any]) -> Iterator[Flag]:
    """One person (name and birth) in more applications than the call allows: each row is named."""
    roles, limit = batch.call.roles, p["max_per_person"]
    seen: dict[tuple[str, str], list[tuple[Entry, int]]] = defaultdict(list)
    for e in batch.apps:
        keys = set()
        for i, row in enumerate(e.fields.get(roles.persons) or []):
            key = (normalize_name(str(row.get(roles.person_name) or "")), _norm_birth(row.get(roles.person_birth)))
            if key[0] and key not in keys:
                keys.add(key)
                seen[key].append((e, i))
    for (_, birth), group in seen.items():
        if len(group) > limit:
            for e, i in group:
                row = (e.fields.get(roles.persons) or [])[i]
                name = row.get(roles.person_name)
                who = f"{name}（{row.get(roles.person_birth)}）" if birth else str(name)
                yield e, problem("batch.person_limit", f"{roles.persons}[{i}]", expected=limit, actual=who,
                                 count=len(group))


@batch_rule("member_list")
def member_list(batch: Batch, p: dict[str, Any]) -> Iterator[Flag]:
    """The member number is on the member list, and names the applicant (by credit code, else by name)."""
    if batch.members is None:
        return  # no list given: nothing to compare with
    roles = batch.call.roles
    for e in batch.apps:
        number = re.sub(r"\s+", "", str(e.fields.get(roles.member_no) or ""))
        if not number:
            continue  # an empty member number is the form's own `field.required`
        m = batch.members.get(number)
        if m is None:
            yield e, problem("batch.member_unknown", roles.member_no, actual=number)
            continue
        code = _norm_code(e.fields.get(roles.applicant_code))
        same = (m.credit_code == code) if (m.credit_code and code) else \
            normalize_name(m.name) == normalize_name(str(e.fields.get(roles.applicant_name) or ""))
        if not same:
            yield e, problem("batch.member_mismatch", roles.member_no, actual=number, expected=m.name)
