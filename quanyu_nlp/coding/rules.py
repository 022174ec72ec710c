"""The codebook's tie-breaks, written as rules.

Each rule looks at one unit and may name the category the codebook prefers (or the none
label).  The default coder adds a boost to that category before it picks the label, so
a rule settles close calls and a confident model can still overrule a weak rule.

The rules refer to categories by their labels in the built-in 全域党建 framework
(政治引领, 组织引领, …); in a framework without those labels they do nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ._text import (ACHIEVED_MARKERS, PURPOSE_MARKERS, SENTENCE_PURPOSE_OPENERS, clause_spans,
                    tokenize)

__all__ = ["Rule", "RULES", "apply_rules", "rule_hits"]

NONE = "无"

_DISCIPLINE = re.compile(r"纪律|监督|廉洁|廉政|作风|四风|问责|巡视|巡察|执纪|反腐|"
                         r"腐败|违纪|违规|八项规定")
_DISC_SYSTEM = re.compile(r"制度|机制|体系|巡视|巡察|问责|责任制|条例|派驻|清单")
# 中央八项规定 is about cadres' conduct (作风), not a system of rules.
_DISC_CONDUCT = re.compile(r"作风|四风|廉洁|自律|警示教育|纪律教育|廉政教育|党性|拒腐|修身|"
                           r"形式主义|官僚主义|八项规定|特权")
# 政治纪律 / 政治规矩 belong to political building (政治引领), not to the discipline rule.
_POLITICAL_DISCIPLINE = re.compile(r"政治纪律|政治规矩")
_DISC_PUNISH = re.compile(r"查处|处分|立案|审查调查|通报|移送|追责|开除|严惩")
_MAIN_VERB_SYSTEM = re.compile(
    r"(建立健全|健全|完善|建立|制定|修订|出台|构建|形成|落实)[^，。；,;！？]{0,14}?"
    r"(制度|机制|规则|办法|清单|章程|条例|责任制|(?<!组织)体系)")
# Party members or organisations as the actors of a concrete deed (行动引领): the codebook's
# "leading by concrete action at the front line", "one member's example drawing others in".
_ACTOR_DEED = re.compile(
    r"(党员|共产党员|党员干部|党员志愿者|党员先锋队|党支部|党总支|党委|党组织|支部书记|书记|"
    r"党群服务中心)"
    r"[^。；;！？]{0,10}?"
    r"(带头|带动|带领|发动|领着|领办|牵头|冲锋|冲在|奔赴|坚守|值守|入户|走访|巡查|巡逻|巡边|"
    r"帮助|帮扶|帮|结对|救援|救助|抢险|抢修|抢通|转移|清理|清扫|捐|送去|送上|排查|守护|"
    r"办实事|志愿|担当作为|办理|增设)")
# Building or extending Party organisations, or studying, is not a deed (组织/政治引领).
_BUILD_VERB = re.compile(r"(组建|成立|建立|设立|新建)[^，。；]{0,8}(党|联合体|支部|党委)|覆盖|"
                         r"理论|学习|教育|培训|发展党员|选派")
# Party building linked with governance, consultation and the mass organisations of a
# community (居委会, 业委会, 物业 …) working together: a mechanism (机制引领).
_LINKAGE = re.compile(r"(居委会|业委会|物业|议事|协商|多方)[^。；;]{0,20}?"
                      r"(联动|协同|共治|议事|协商|协调|达成一致)|(联动|协同)机制|议事协商")
# Date lines, attendance lines and a person's background are 无 in the codebook.
_ATTENDANCE = re.compile(r"(出席|主持)(了)?(会议|活动|仪式|座谈会|开幕式|大会)?并?(讲话|致辞)|"
                         r"(出席|主持)(了)?(会议|座谈会|仪式|开幕式)[。]?$")
_BACKGROUND = re.compile(r"^[^，。；]{2,24}(是|任|现任|曾任)[^，。；]{2,40}"
                         r"(书记|主任|委员|代表|党员|干部|校长|院长)。?$")
_FORTRESS = re.compile(r"战斗堡垒")
_VANGUARD = re.compile(r"先锋模范|先锋作用|模范作用|先锋带头")
# A unit with none of these is not about Party work (weather, prices, a museum visit
# without any Party or political reference) and is 无 on leadership.
_PARTY_REF = re.compile(r"党|政治|思想|理论|书记|干部|支部|组织|群众|基层|主义|初心|使命|领导|"
                        r"委员会|委|两新|先锋|模范|志愿|廉|纪|治理|服务|民主|学习|教育|宣讲|人才|"
                        r"制度|机制|联席|议事|协商|社区|街道|村|网格|共建|联建|覆盖|示范|考核")


@dataclass(frozen=True)
class Rule:
    """A tie-break: ``fire(text)`` returns the preferred label or None."""

    name: str
    dimension: str
    description: str
    fire: Callable[[str], str | None]
    strength: float = 1.0


def _discipline(text: str) -> str | None:
    if not _DISCIPLINE.search(_POLITICAL_DISCIPLINE.sub("", text)):
        return None
    sys_m = _DISC_SYSTEM.search(text)
    con_m = _DISC_CONDUCT.search(text)
    if sys_m and con_m:
        # Both named: the one named first (the codebook's general tie-break).
        return "机制引领" if sys_m.start() <= con_m.start() else "队伍引领"
    if sys_m:
        return "机制引领"
    if con_m:
        return "队伍引领"
    if _DISC_PUNISH.search(text):
        return NONE
    return None


def _main_verb_system(text: str) -> str | None:
    # Only when the verb+system phrase opens the unit's main clause: a unit that builds
    # an organisation "and" mentions a mechanism in passing is not about the mechanism.
    m = _MAIN_VERB_SYSTEM.search(text)
    if not m:
        return None
    spans = clause_spans(text)
    first_two = spans[1][1] if len(spans) > 1 else spans[0][1]
    return "机制引领" if m.start() < first_two else None


def _actor_deed(text: str) -> str | None:
    m = _ACTOR_DEED.search(text)
    if not m or _BUILD_VERB.search(text):
        return None
    return "行动引领"


def _linkage(text: str) -> str | None:
    return "机制引领" if _LINKAGE.search(text) else None


def _fortress_vanguard(text: str) -> str | None:
    f = _FORTRESS.search(text)
    v = _VANGUARD.search(text)
    if f and v:
        return "组织引领" if f.start() <= v.start() else "队伍引领"
    if f:
        return "组织引领"
    if v:
        return "队伍引领"
    return None


def _meta_line(text: str) -> str | None:
    t = text.strip()
    return NONE if (_ATTENDANCE.search(t) or _BACKGROUND.search(t)) else None


def _not_party_work(text: str) -> str | None:
    return NONE if not _PARTY_REF.search(text) else None


def _purpose_result(text: str) -> str | None:
    toks = [w for w, _, _ in tokenize([text])[0]]
    if not toks:
        return None
    achieved = any(m in text for m in ACHIEVED_MARKERS)
    if toks[0] in SENTENCE_PURPOSE_OPENERS and not achieved:
        return NONE
    # A unit whose every clause is governed by a purpose marker, with nothing reported
    # as achieved, states an aim.
    if not achieved and any(t in PURPOSE_MARKERS for t in toks):
        return NONE
    return None


RULES: tuple[Rule, ...] = (
    Rule("not-party-work", "leadership",
         "no Party, political or organisational reference at all → 无", _not_party_work, 2.0),
    Rule("meta-line", "leadership",
         "an attendance line (…出席并讲话) or a person's background (某某是…书记) → 无",
         _meta_line, 1.0),
    Rule("discipline", "leadership",
         "discipline: systems of supervision/rules → 机制引领; conduct, integrity, 四风 → "
         "队伍引领; a bare punishment campaign → 无", _discipline, 0.6),
    Rule("main-verb-system", "leadership",
         "健全/完善/建立…制度/机制/体系 as the main verb → 机制引领", _main_verb_system, 0.6),
    Rule("actor-deed", "leadership",
         "Party members or organisations doing a concrete deed (带头, 带动, 入户, 抢险, "
         "志愿 …) and not building organisations or studying → 行动引领", _actor_deed, 0.4),
    Rule("governance-linkage", "leadership",
         "Party building linked with governance: residents' and owners' committees, property "
         "companies, consultation working together (联动, 协同, 议事协商) → 机制引领",
         _linkage, 0.4),
    Rule("fortress-vanguard", "leadership",
         "战斗堡垒 (organisations) → 组织引领; 先锋模范 (members) → 队伍引领; both → the one "
         "named first", _fortress_vanguard, 0.4),
    Rule("purpose-clause", "results",
         "results only when stated as achieved: a purpose, plan or duty (让/为了/要/将/力争 …) "
         "→ 无", _purpose_result, 1.5),
    Rule("not-party-work-results", "results",
         "no Party, political or organisational reference at all → 无", _not_party_work, 2.0),
)


def rule_hits(text: str, dimension: str, labels: list[str]) -> list[tuple[Rule, str]]:
    """The rules of ``dimension`` that fire on ``text`` and name a label in ``labels``."""
    out = []
    for r in RULES:
        if r.dimension != dimension:
            continue
        target = r.fire(text)
        if target is not None and target in labels:
            out.append((r, target))
    return out


def apply_rules(text: str, dimension: str, proba: dict[str, float], none_label: str = NONE,
                scale: float = 1.0) -> tuple[dict[str, float], list[str]]:
    """Boost the categories the tie-break rules prefer and renormalise.

    ``scale`` multiplies every rule's strength.  Returns the new probabilities and the
    names of the rules that fired.
    """
    labels = list(proba)
    p = dict(proba)
    fired = []
    for r, target in rule_hits(text, dimension, labels + [NONE]):
        if target == NONE:
            target = none_label
        if target not in p:
            continue
        p[target] += r.strength * scale
        fired.append(r.name)
    tot = sum(p.values())
    if tot > 0:
        p = {k: v / tot for k, v in p.items()}
    return p, fired
