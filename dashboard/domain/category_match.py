"""A 12345 order's category text → a catalog condition, with a confidence in [0, 1] (pure).

12345 centres write categories their own way ("噪音扰民", "城乡建设-市容环境-占道经营", "违章建筑"), never our codes.
The match tries, for each segment of the text (most specific, i.e. last, first):

| how | confidence |
|---|---|
| the segment is a minor class's name or a condition's text | 1.0 |
| the segment lies inside a condition's text (or a minor class's name inside the segment) | 0.85 |
| as above after the synonym table rewrote the hotline's wording into the catalog's (噪音 → 噪声) | 0.8 |
| character bigrams: the share of the segment's characters that bigrams found in the condition cover | ≤ 0.75 |

Only the best condition is returned; when two different minor classes tie for it, the answer is not sure, and its
confidence is cut by AMBIGUOUS_FACTOR. Among the conditions of one minor class (夜间施工噪声 vs 社会生活噪声) the
order's content decides, by the same bigram coverage; then catalog order. The caller compares the confidence with
its threshold (Settings.hotline_category_threshold): below it the case stays unclassified for the dispatcher.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

EXACT = 1.0
SUBSTRING = 0.85
SYNONYM = 0.8
NGRAM_MAX = 0.75
AMBIGUOUS_FACTOR = 0.7
MAX_TEXT = 100
MAX_SEGMENTS = 8

# The hotline's words → the catalog's words for the same thing (after published 12345 classification lists and
# the default catalog's wording). Longer keys are applied first, so "暖气不热" wins over "不热".
SYNONYMS: dict[str, str] = {
    "噪音": "噪声",
    "违章建筑": "违法建设",
    "违章搭建": "违法建设",
    "违建": "违法建设",
    "私搭乱建": "违法建设",
    "乱搭乱建": "违法建设",
    "井盖缺失": "井盖丢失",
    "井盖破损": "井盖丢失",
    "井盖": "井盖丢失",
    "路灯故障": "路灯不亮",
    "路灯损坏": "路灯不亮",
    "暖气不热": "室温不达标",
    "供暖不热": "室温不达标",
    "供暖不足": "室温不达标",
    "停暖": "非计划停暖",
    "垃圾未清运": "垃圾清运不及时",
    "垃圾清运": "垃圾清运不及时",
    "垃圾满溢": "垃圾桶满溢",
    "垃圾堆放": "暴露垃圾",
    "乱堆垃圾": "暴露垃圾",
    "摆摊": "流动摊贩",
    "游商": "流动摊贩",
    "占道": "占道经营",
    "乱停车": "违停",
    "乱停乱放": "违停",
    "油烟扰民": "油烟直排",
    "群租房": "群租",
    "路面塌陷": "道路塌陷",
    "马路坑洼": "路面坑洼",
    "欠薪": "拖欠农民工工资",
    "拖欠工资": "拖欠农民工工资",
    "电梯困人": "电梯故障困人",
    "燃气泄漏": "燃气管道、设施泄漏",
    "煤气泄漏": "燃气管道、设施泄漏",
    "漏水": "跑水",
    "物业纠纷": "物业等一般民间纠纷",
    "邻里纠纷": "邻里、家庭、物业等一般民间纠纷",
    "扬尘": "扬尘污染",
    "焚烧": "露天焚烧",
    "小广告": "张贴、涂写小广告",
}
_SYNONYM_KEYS = sorted(SYNONYMS, key=len, reverse=True)
# Words a caller's report is wrapped in that say nothing about what it is.
_FILLER = ("投诉", "反映", "举报", "来电", "市民", "诉求", "问题", "相关", "有关", "情况", "事项", "类")
_SEPARATORS = re.compile(r"[-－—/／>＞→|｜\\、，,;；:：\s]+")
_PUNCT = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class CatalogTerm:
    """One catalog condition as the matcher sees it."""

    code: str
    major_name: str
    minor_name: str
    condition: str


@dataclass(frozen=True)
class CategoryMatch:
    """The best condition for a category text (None when nothing matched at all) and how sure the match is."""

    code: str | None
    confidence: float
    how: str  # exact | substring | synonym | ngram | none
    minor_name: str | None = None


NO_MATCH = CategoryMatch(None, 0.0, "none")


def normalise(text: str, *, filler: bool = True) -> str:
    """Full-width to half-width, no spaces or punctuation, no trailing 的; without the filler words of a caller's
    report (`filler`: the hotline's text; the catalog's own wording keeps them)."""
    flat = _PUNCT.sub("", unicodedata.normalize("NFKC", text)).lower()
    if filler:
        for word in _FILLER:
            flat = flat.replace(word, "")
    return flat.removesuffix("的")


def segments(text: str) -> list[str]:
    """The normalised parts of a hierarchical category ("城乡建设-市容-占道经营"), most specific (last) first,
    then the whole text run together."""
    parts = [normalise(p) for p in _SEPARATORS.split(text[:MAX_TEXT])]
    found = [p for p in reversed(parts) if p][:MAX_SEGMENTS]
    whole = normalise(text[:MAX_TEXT])
    if whole and whole not in found:
        found.append(whole)
    return found


def rewrite(text: str) -> str:
    """`text` with the hotline's words replaced by the catalog's (SYNONYMS, longest first, each place once)."""
    out, i = [], 0
    while i < len(text):
        for key in _SYNONYM_KEYS:
            if text.startswith(key, i):
                out.append(SYNONYMS[key])
                i += len(key)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


def coverage(query: str, target: str) -> float:
    """The share of `query`'s characters covered by its bigrams that occur in `target` (0 for under 2 chars)."""
    if len(query) < 2:
        return 0.0
    covered = [False] * len(query)
    for i, gram in enumerate(_bigrams(query)):
        if gram in target:
            covered[i] = covered[i + 1] = True
    return sum(covered) / len(query)


@dataclass(frozen=True)
class _Prepared:
    term: CatalogTerm
    minor: str
    condition: str


def _prepare(terms: Iterable[CatalogTerm]) -> list[_Prepared]:
    return [_Prepared(t, normalise(t.minor_name, filler=False), normalise(t.condition, filler=False)) for t in terms]


def _score(segment: str, p: _Prepared) -> tuple[float, str]:
    """(confidence, how) of one segment against one condition, before synonyms."""
    if segment in (p.minor, p.condition):
        return EXACT, "exact"
    if len(segment) >= 2 and (segment in p.condition or segment in p.minor or (p.minor and p.minor in segment)):
        return SUBSTRING, "substring"
    return NGRAM_MAX * coverage(segment, p.minor + p.condition), "ngram"


def _best_for(segment: str, prepared: Sequence[_Prepared]) -> list[tuple[float, str, _Prepared]]:
    rewritten = normalise(rewrite(segment), filler=False)
    scored = []
    for p in prepared:
        confidence, how = _score(segment, p)
        if rewritten != segment:
            again, again_how = _score(rewritten, p)
            # A synonym's answer is as good as its table, never as good as the hotline's own exact words.
            again = min(again, SYNONYM) if again_how != "ngram" else again
            if again > confidence:
                confidence, how = again, ("synonym" if again_how != "ngram" else "ngram")
        if confidence > 0:
            scored.append((confidence, how, p))
    return scored


def match_category(text: str, terms: Iterable[CatalogTerm], *, context: str = "") -> CategoryMatch:
    """The catalog condition `text` names best, with its confidence; `context` (the order's content) only picks
    among the conditions of the minor class that matched."""
    prepared = _prepare(terms)
    if not isinstance(text, str) or not prepared:
        return NO_MATCH
    best: list[tuple[float, str, _Prepared]] = []
    top = 0.0
    for rank, segment in enumerate(segments(text)):
        # A broader part of the text ("城乡建设" before "占道经营") counts a little less than the specific one.
        weight = 1.0 if rank == 0 else 0.95
        for confidence, how, p in _best_for(segment, prepared):
            value = round(confidence * weight, 4)
            if value > top + 1e-9:
                top, best = value, [(value, how, p)]
            elif abs(value - top) <= 1e-9:
                best.append((value, how, p))
    if not best:
        return NO_MATCH
    minors = {p.term.minor_name for _, _, p in best}
    where = normalise(context) if context else ""
    chosen = max(best, key=lambda b: coverage(where, b[2].condition) if where else 0.0)
    confidence = top if len(minors) == 1 else round(top * AMBIGUOUS_FACTOR, 4)
    return CategoryMatch(chosen[2].term.code, min(1.0, confidence), chosen[1], chosen[2].term.minor_name)
