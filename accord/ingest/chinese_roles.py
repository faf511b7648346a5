"""Incidents in Chinese articles from the sentence's words, without a parse: a sentence
that reports an attack (袭击, 爆炸, 枪击...) gives one incident whose

- perpetrators are the groups that claimed it (宣称/声称对...负责, 认领) and the attackers
  it names without a name, as written (枪手, 自杀式炸弹袭击者, 武装分子);
- victims are the people and sites it names as attacked or killed (游客, 清真寺, 政府军
  检查站): a people or site noun with the nouns before it that qualify it;
- places are the named locations the attack is 在 or 于 (the last, most precise, of a chain
  such as 在巴基斯坦西北部白沙瓦) or that 发生 follows.

Bare counts (3人) are no parties; sentences recalling earlier attacks (此前, 去年) are
marked as background.
"""

from __future__ import annotations

import re
from typing import Any

from accord.ingest.chinese import simple, words
from accord.ingest.state import Item, ReaderBase, party_ref, sentence_incident

#: The attack sentences that tell the news: the lead's.
LEAD = 6
_ATTACK = re.compile(
    r"袭击|爆炸|枪击|炸弹|自杀式|恐袭|恐怖攻击|攻击|遇袭|枪杀|屠杀|劫持|绑架|绑走|扫射|引爆|"
    r"冲撞|刺杀|砍杀|持刀|开枪|枪战|炸死|炸伤"
)
_HARMED = re.compile(r"死亡|身亡|丧生|遇难|丧命|受伤|伤亡|罹难|被杀|被绑|被劫")
_PERSON_HARMED = re.compile(r"[^。，]{0,4}(身亡|死亡|遇难|受伤|被杀)")
_NAMED_ATTACKER = re.compile(r"(袭击者|枪手|凶手|行凶者|嫌犯|肇事者)(?:是|为|名叫|名为)[^。，]*$")
_CLAIM = re.compile(r"(?:宣称|声称|宣布|承认)?(?:对|为)[^。，]{0,24}?负责|认领|认责|宣称负责")
_BACKGROUND = re.compile(r"此前|曾经|去年|前年|年前|早在|当年|回顾|上一次|以往")
#: Attackers without a name, longest first, as the article words them.
ATTACKERS = tuple(
    sorted(
        "自杀式炸弹袭击者 自杀炸弹袭击者 自杀式袭击者 自杀袭击者 自杀炸弹客 自杀式炸弹手 "
        "人肉炸弹 枪手 袭击者 武装分子 恐怖分子 歹徒 凶手 行凶者 激进分子 极端分子 "
        "武装人员 蒙面人 炸弹客 攻击者 嫌犯 肇事者 肇事司机".split(),
        key=len,
        reverse=True,
    )
)
PEOPLE = (
    "游客 平民 乘客 学生 师生 教师 老师 警察 警员 警官 军人 士兵 军警 民众 信徒 教徒 礼拜者 "
    "村民 居民 外国人 官员 妇女 儿童 小孩 孩子 母亲 女童 男童 人质 记者 议员 部长 观众 "
    "顾客 行人 路人 信众 朝圣者 护林员 值班人员 志愿警察 工人 矿工"
).split()
SITES = (
    "教堂 清真寺 寺庙 酒店 饭店 餐馆 餐厅 市场 集市 学校 中学 小学 大学 检查站 总部 "
    "警察局 警局 派出所 车站 火车站 地铁站 机场 使馆 大使馆 领事馆 音乐厅 体育馆 演唱会 "
    "车队 公车 巴士 公交车 营地 哨所 军营 基地 医院 商场 购物中心 夜总会 酒吧 咖啡馆 "
    "圣诞市场 弥撒 悼念活动 集会 婚礼 葬礼 大楼 办公楼 政府大楼 法院 监狱"
).split()
_VICTIM = re.compile("|".join(sorted(PEOPLE + SITES, key=len, reverse=True)))
_QUALIFIER_FLAGS = frozenset("n nz nt ns b j nr eng".split())
_CLAUSE = re.compile(r"[^，,；;：:。！？]+")
_CHAIN_GAP = re.compile(r"^[的东南西北中部首府都市省州县区镇]*$")


class ChineseIncidents(ReaderBase):
    """The Chinese reader's part that reads incidents."""

    def _chinese_incidents(self, sentences: list[tuple[int, int]]) -> None:
        plain = simple(self.text)
        seen = 0
        for start, end in sentences:
            if not _ATTACK.search(plain, start, end):
                continue
            seen += 1
            # The news is told first: attack sentences after the lead's are background.
            self._zh_one(plain, start, end, seen > LEAD)
            self.check_time()

    def _zh_one(self, plain: str, start: int, end: int, later: bool) -> None:
        perpetrators: list[dict[str, Any]] = []
        victims: list[dict[str, Any]] = []
        places: list[dict[str, Any]] = []
        mentions = sorted(
            (m.start, m.end, item)
            for item in self.items_between(start, end)
            for m in self.mentions_between(item, start, end)
        )
        claimed = False
        for match in _CLAIM.finditer(plain, start, end):
            # The group named last before the claim (伊斯兰国宣称对袭击负责).
            before = [
                (s, e, item)
                for s, e, item in mentions
                if e <= match.start() and item.kind == "organisation"
            ]
            if before and match.start() - before[-1][1] <= 12:
                party_ref(perpetrators, before[-1][2], before[-1][0])
                claimed = True
        for s, _e, item in mentions:
            if item.kind == "person" and _NAMED_ATTACKER.search(plain, max(start, s - 24), s):
                party_ref(perpetrators, item, s)
        taken: list[tuple[int, int]] = []
        for name in ATTACKERS:
            for found in re.finditer(name, plain[start:end]):
                s, e = start + found.start(), start + found.end()
                if any(a < e and s < b for a, b in taken):
                    continue
                taken.append((s, e))
                self._zh_party(perpetrators, s, e, "unnamed")
        for clause in _CLAUSE.finditer(plain, start, end):
            c_start, c_end = clause.span()
            attack_at = [m.start() for m in _ATTACK.finditer(plain, c_start, c_end)]
            harm_at = [m.start() for m in _HARMED.finditer(plain, c_start, c_end)]
            for found in _VICTIM.finditer(plain, c_start, c_end):
                s, e = self._qualified(found.start(), found.end(), start, end)
                if any(a < e and s < b for a, b in taken) or plain[e : e + 1] in "者手":
                    continue
                # Attacked or harmed: after an attack word or before a word of the dead.
                if not (any(a < s for a in attack_at) or any(h >= e for h in harm_at)):
                    continue
                taken.append((s, e))
                self._zh_party(victims, s, e, "target")
        for s, e, item in mentions:
            if item.kind == "person" and _PERSON_HARMED.match(plain, e, end):
                party_ref(victims, item, s)
        self._zh_places(plain, start, end, mentions, places, bool(perpetrators or victims))
        if not (perpetrators or victims or places):
            return
        self.incidents.append(
            sentence_incident(
                self.text,
                (start, end),
                (perpetrators, victims, places),
                claimed=claimed,
                background=later or bool(_BACKGROUND.search(plain, start, end)),
                read_from="the sentence's words (attack, claim and harm words)",
            )
        )

    def _qualified(self, s: int, e: int, start: int, end: int) -> tuple[int, int]:
        """The noun with the words right before it that qualify it (政府军检查站, 女子中学)."""
        ws = words(self.text, start, end)
        at = next((n for n, w in enumerate(ws) if w[0] <= s < w[1]), None)
        if at is None:
            return s, e
        s = min(s, ws[at][0])
        k = at
        while k > 0 and at - k < 2 and ws[k - 1][3] in _QUALIFIER_FLAGS:
            word = ws[k - 1][2]
            if (
                _ATTACK.search(word)
                or _HARMED.search(word)
                or not 2 <= len(word) <= 4
                or re.search(r"[时有载搭乘]", simple(word))
            ):
                break
            k -= 1
        return ws[k][0], e

    def _zh_places(
        self,
        plain: str,
        start: int,
        end: int,
        mentions: list[tuple[int, int, Item]],
        places: list[dict[str, Any]],
        parties: bool,
    ) -> None:
        located = [(s, e, item) for s, e, item in mentions if item.kind == "location"]
        for marker in re.finditer(r"在|于|发生在|位于", plain[start:end]):
            cursor = start + marker.end()
            last = None
            for s, e, item in located:
                if s < cursor:
                    continue
                if not _CHAIN_GAP.match(plain[cursor:s]) or s - cursor > 4:
                    break
                last, cursor = (s, item), e
            if last is not None:
                party_ref(places, last[1], last[0])
        for s, e, item in located:
            if re.match(r"^[^。，]{0,3}发生", plain[e:end]):
                party_ref(places, item, s)
        if not places and located and parties:
            # 菲律宾南部霍洛岛一座教堂外...爆炸: the sentence's first chain of places.
            first, cursor, chosen = located[0][0], located[0][1], located[0][2]
            for s, e, item in located[1:]:
                if s < cursor or not _CHAIN_GAP.match(plain[cursor:s]) or s - cursor > 4:
                    break
                first, cursor, chosen = s, e, item
            if chosen.place_kind != "country":
                party_ref(places, chosen, first)

    def _zh_party(self, found: list[dict[str, Any]], s: int, e: int, kind: str) -> None:
        for item in self.items_between(s, e):
            if any(m.start <= s < m.end for m in item.evidence):
                if item.kind != "location":
                    party_ref(found, item, s)
                return
        text = self.text[s:e]
        if any(f["name"] == text for f in found):
            return
        found.append({"name": text, "kind": kind, "evidence": {"start": s, "end": e, "text": text}})
