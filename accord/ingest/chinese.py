"""The rule layer over jieba's tagger for Chinese articles.

jieba tags words as person (nr), place (ns) and organisation (nt) names but cuts foreign
names written in transcription characters (克拉/斯诺戈尔/斯克市) and glues prepositions to
names (向普京). The rules here: places by longest match in the native-script gazetteer;
transcribed names joined and typed by what follows (市, 州, 省: a place) or precedes (a
title: a person); organisations by their head word (组织, 运动, 部, 局, 社...) over the words
before it; names in quotation marks before 组织 or 宣称; prepositions stripped; designation
claims (被列为恐怖组织) with the jurisdiction named before them.
"""

from __future__ import annotations

import re
from typing import Any

from accord.ingest.gazetteer import Place
from accord.ingest.nlp import Proposal, chinese

#: Characters Chinese writes foreign names with (a run of three or more is a candidate).
TRANSCRIPTION = frozenset(
    "阿埃艾爱安昂奥澳巴拔柏拜班邦包保鲍贝本比彼毕波伯博布查达戴丹道德迪蒂杜多厄恩法凡菲费芬丰"
    "弗福夫盖甘冈高戈哥格贡古瓜哈海汉豪赫亨胡华怀霍基吉加贾杰金卡凯坎康科克肯库夸奎拉莱兰朗劳"
    "勒雷里利立连列林琳隆卢鲁路伦罗洛马玛迈麦曼芒梅门蒙米敏莫姆穆纳娜奈南内尼努诺欧帕潘佩彭皮"
    "普齐奇切乔钦丘萨塞赛桑瑟森沙莎尚舍什施斯松苏索塔泰坦汤特提图托瓦万威韦维温沃乌伍西希谢辛"
    "休叙雅亚扬耶伊因英尤于约泽扎詹兹佐祖·"
)
_PLACE_SUFFIX = "市州省区县村镇岛河山湖港"
_TITLES = re.compile(
    r"(总统|主席|总理|首相|部长|外长|局长|发言人|大使|领导人|头目|首领|嫌疑人|男子|女子|"
    r"司令|指挥官|国王|记者|专家|议员|检察官|法官|主任|秘书长|代表|书记|先生|女士)$"
)
_SPEAKS = re.compile(r"^(表示|说|称|指出|强调|宣布|透露|介绍)")
_ORG_HEADS = (
    "恐怖组织|极端组织|组织|运动|阵线|委员会|联合会|联盟|协会|基金会|党|政府|部|局|署|厅|处|"
    "通讯社|新闻社|社|电视台|广播电台|日报|报|网|机构|集团|公司|军|部队|旅|营|法院|检察院|"
    "中心|大学|研究院|研究所|理事会|议会|安理会|警方|警察局|安全局"
)
_ORG = re.compile(
    rf"(?P<name>[\u4e00-\u9fff·]{{1,14}}?(?:{_ORG_HEADS}))(?![\u4e00-\u9fff]{{0,0}}[组织])"
)
_QUOTED = re.compile(r"[“\"「](?P<name>[^“”\"「」]{2,20})[”\"」]")
_GROUPISH_AFTER = re.compile(r"^(组织|恐怖|极端|武装|宣称|声称|分子|成员|头目)")
_LEADING = re.compile(r"^(向|对|与|和|同|据|被|把|将|在|由|从|给|跟|令|让|称|及)")
_NOT_NAMES = frozenset("恐怖分子 武装分子 袭击者 枪手 警方 当局 政府 官员 记者".split())
CLAIM = re.compile(
    r"(?P<claim>(?:被|将\S{0,20}?|把\S{0,20}?)?(?:列为|认定为|定为|宣布为|列入|指定为)"
    r"[^，。；]{0,10}?恐怖(?:主义)?组织(?:名单)?)"
)
_JURISDICTIONS = {"联合国": "UN", "安理会": "UN", "欧盟": "EU", "中方": "CN", "公安部": "CN"}


def _clean(word: str) -> str:
    stripped = _LEADING.sub("", word)
    return stripped if len(stripped) >= 2 else word


def refine(text: str, kept: list[tuple[int, int]], model: list[Proposal]) -> list[Proposal]:
    from accord.ingest.gazetteer import native_places

    places = native_places()
    found: list[Proposal] = []
    for p in model:
        word = _clean(p.text)
        start = p.start + (len(p.text) - len(word))
        if word in _NOT_NAMES or len(word) < 2:
            continue
        kind = p.kind
        if word in places:
            kind = "location"
        elif kind == "location" and not any(c in TRANSCRIPTION for c in word[:1]) and len(word) > 6:
            kind = "organisation"
        found.append(Proposal(kind, start, start + len(word), word, p.label))
    for start, end in kept:
        found += _places(text, start, end, places)
        found += _transcribed(text, start, end)
        found += _organisations(text, start, end, places)
        found += _quoted(text, start, end)
    return found


def _places(text: str, start: int, end: int, places: dict[str, Place]) -> list[Proposal]:
    found = []
    i = start
    while i < end:
        for size in range(min(12, end - i), 1, -1):
            word = text[i : i + size]
            if word in places:
                found.append(Proposal("location", i, i + size, word, "gazetteer"))
                i += size
                break
        else:
            i += 1
    return found


def _transcribed(text: str, start: int, end: int) -> list[Proposal]:
    found = []
    i = start
    while i < end:
        if text[i] not in TRANSCRIPTION:
            i += 1
            continue
        j = i
        while j < end and text[j] in TRANSCRIPTION:
            j += 1
        if j - i >= 3:
            after, before = text[j : j + 4], text[max(start, i - 6) : i]
            if after[:1] and after[0] in _PLACE_SUFFIX:
                found.append(Proposal("location", i, j + 1, text[i : j + 1], "transcribed"))
            elif "·" in text[i:j] or _TITLES.search(before) or _SPEAKS.match(after):
                found.append(Proposal("person", i, j, text[i:j].strip("·"), "transcribed"))
        i = j
    return found


def _organisations(text: str, start: int, end: int, places: dict[str, Place]) -> list[Proposal]:
    """Organisations by their head word, over the words jieba joins before it."""
    found = []
    posseg = chinese()
    cursor = start
    words: list[tuple[int, int, str, str]] = []
    for pair in posseg.cut(text[start:end]):
        words.append((cursor, cursor + len(pair.word), pair.word, pair.flag))
        cursor += len(pair.word)
    heads = re.compile(rf"^(?:{_ORG_HEADS})$")
    for n, (_s, e, word, flag) in enumerate(words):
        if not (heads.match(word) or (flag == "nt" and len(word) >= 3)):
            continue
        if heads.match(word):
            # Walk back over name-like words: places, names, nouns, abbreviations.
            k = n
            while k > 0 and words[k - 1][3] in (
                "ns",
                "nt",
                "nz",
                "nr",
                "n",
                "j",
                "nrt",
                "eng",
                "vn",
            ):
                k -= 1
                if n - k >= 4:
                    break
            if k == n:
                continue
            begin = words[k][0]
            name = text[begin:e]
            if len(name) < 3 or name in places:
                continue
            found.append(Proposal("organisation", begin, e, name, "head word"))
    return found


def _quoted(text: str, start: int, end: int) -> list[Proposal]:
    found = []
    for match in _QUOTED.finditer(text, start, end):
        name = match.group("name")
        after = text[match.end() : match.end() + 4]
        before = text[max(start, match.start() - 4) : match.start()]
        if _GROUPISH_AFTER.match(after) or before.endswith(("组织", "团体", "武装")):
            found.append(
                Proposal("organisation", match.start("name"), match.end("name"), name, "quoted")
            )
    return found


def claims(text: str, start: int, end: int, places: dict[str, Place]) -> list[dict[str, Any]]:
    """Designation claims in a Chinese sentence, with the jurisdiction named before them."""
    found = []
    for match in CLAIM.finditer(text, start, end):
        before = text[start : match.start()]
        where = None
        best = -1
        for name, code in _JURISDICTIONS.items():
            at = before.rfind(name)
            if at > best:
                best, where = at, code
        for size in range(2, 9):
            for i in range(len(before) - size, -1, -1):
                known = places.get(before[i : i + size])
                if known is not None and known.kind == "country" and i > best:
                    best, where = i, known.country
                    break
        if where is None:
            continue
        claim = match.group("claim")
        found.append(
            {
                "claim": claim,
                "jurisdiction": where,
                "source": "the article",
                "evidence": {"start": match.start(), "end": match.end(), "text": claim},
            }
        )
    return found
