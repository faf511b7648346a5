"""The rule layer over jieba's tagger for Chinese articles.

jieba is run on a Simplified copy of the text (one character for one, so offsets hold for
Traditional articles too). Its dictionary tags common words as names (荣幸, 余生: nr), cuts
foreign names written in transcription characters and glues prepositions to names (向普京),
so a name is kept only with evidence, and the evidence decides the kind:

- organisations: a list of widely known bodies (data/zh-bodies.txt); a head word (组织, 运动,
  部, 局, 社, 委员会...) over the name-like words before it, with a proper word among them;
  a name in quotation marks after 组织 or ending in a head word; Latin acronyms and Latin
  names holding an organisation word (Images, Agency, Press);
- persons: a byline (记者, 编辑, 撰文), a title before the name (总统, 代表, 议员), a speech
  verb after it (表示, 说), names joined by a middle dot (买买提明·艾孜来提), a Han name
  glossed in Latin (辛斯坦(Alexander Khinshtein));
- locations: the native-script gazetteer by longest match (a small place's two-character
  name only where jieba reads the word as a place or a place suffix follows), transcribed
  names before 市, 州, 省.
Rules of the first kinds win over the gazetteer, the gazetteer over bare transcription runs.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from accord.ingest.gazetteer import Place
from accord.ingest.nlp import JIEBA_KINDS, Proposal, chinese
from accord.screening.scripts import simplified

#: Characters Chinese writes foreign names with (a run of three or more is a candidate).
TRANSCRIPTION = frozenset(
    "阿埃艾爱安昂奥澳巴拔柏拜班邦包保鲍贝本比彼毕波伯博布查达戴丹道德迪蒂杜多厄恩法凡菲费芬丰"
    "弗福夫盖甘冈高戈哥格贡古瓜哈海汉豪赫亨胡华怀霍基吉加贾杰金卡凯坎康科克肯库夸奎拉莱兰朗劳"
    "勒雷里利立连列林琳隆卢鲁路伦罗洛马玛迈麦曼芒梅门蒙米敏莫姆穆纳娜奈南内尼努诺欧帕潘佩彭皮"
    "普齐奇切乔钦丘萨塞赛桑瑟森沙莎尚舍什施斯松苏索塔泰坦汤特提图托瓦万威韦维温沃乌伍西希谢辛"
    "休叙雅亚扬耶伊因英尤于约泽扎詹兹佐祖尔茨喀瑙汗宰俾吐孜契楚·"
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_PLACE_SUFFIX = "市州省区县村镇岛河山湖港邦府"
_ADMIN_SUFFIX = "市州省区县镇府"
_TITLE_WORDS = (
    "副总统|总统|主席|总理|首相|部长|外长|局长|厅长|发言人|大使|领导人|头目|首领|嫌疑人|嫌犯|"
    "司令|指挥官|国王|记者|编辑|专家|议员|检察官|法官|主任|秘书长|代表|书记|教宗|教皇|牧师|"
    "市长|省长|州长|总督|将军|上校|少校|上尉|警长|学者|教授|研究员|分析师|通讯员|摄影师|"
    "凶手|枪手|行凶者|袭击者|先生|女士"
)
_TITLED = re.compile(rf"(?:{_TITLE_WORDS})$")
_SPEAKS = re.compile(r"^(表示|说|称|指出|强调|宣布|透露|介绍|告诉|认为|对记者)")
_BYLINE = re.compile(
    r"(?:(?:记者|编辑|责编|责任编辑|撰文|撰稿|编译|作者|摄影|文|图)\s*[:：/／]?|(?<=电)[(（])\s*"
    r"(?P<names>[\u4e00-\u9fff]{2,4}(?:\s*[、，,]\s*[\u4e00-\u9fff]{2,4})*)"
    r"(?=\s*[)）\s/／]|\s*$|\s*[A-Z])"
)
#: Not names after a credit word: "图/翻摄自", "文/综合报道", "摄影/本报".
_CREDIT = re.compile(r"^(翻摄|摘自|来自|来源|综合|本报|本网|本台|网络|资料|取自|截图|新华)")
_ORG_HEADS = (
    "恐怖组织|极端组织|组织|运动|阵线|委员会|联合会|联盟|协会|基金会|党|政府|部|局|署|"
    "通讯社|新闻社|社|电视台|广播电台|电台|频道|日报|时报|邮报|报|网|机构|集团|公司|部队|"
    "军|警方|部门|网站|客户端|国务院|法院|检察院|中心|大学|研究院|研究所|理事会|执委会|议会|警察局|安全局|平台|秘书处|公安厅|"
    "红新月会|红十字会|卫队"
)
#: Words a body's name never holds: "克尔曼市所在克尔曼省红新月会" is the city where the body is.
_ORG_BREAK = frozenset("所在 位于 附近 当地 下属 旗下 以及 包括 其中 所属".split())
_HEAD = re.compile(rf"^(?:{_ORG_HEADS})$")
_HEAD_END = re.compile(rf"(?:{_ORG_HEADS})$")
#: Heads that make a body of a common noun alone (外交部, 公安部); the rest need a proper word.
_MINISTRY = re.compile(r"(部|局|署|厅|委员会|通讯社|新闻社|社|法院|检察院|秘书处)$")
_GENERIC = re.compile(
    r"^(?:极端|恐怖|武装|激进|圣战|反政府|分离主义|犯罪|伊斯兰教|伊斯兰|宗教|地方|当地|安全|政府|国家|"
    r"军方|警察|边防|联合|外国|中国|该|此|这个|一个|其|多个)*"
)
#: Not bodies: a place in a city (市中心), both armies (两军), "a university" (一大学).
_NOT_BODY = re.compile(r"(市中心|两军)$")
_NOT_BODY_START = re.compile(r"^[一某该这此各]")
_DATELINE = re.compile(r"^\d*日?电")
_NAME_FLAGS = frozenset("ns nt nz nr nrt nrfg j eng".split())
_WALK_FLAGS = _NAME_FLAGS | frozenset("n vn an b i l m".split())
_QUOTED = re.compile(r"[“\"「『](?P<name>[^“”\"「」『』，。]{2,20})[”\"」』]")
_GROUPISH_AFTER = re.compile(r"^(组织|恐怖|极端|武装|宣称|声称|分子|成员|头目|认领|承认)")
_LEADING = re.compile(r"^(向|对|与|和|同|据|被|把|将|在|由|从|给|跟|令|让|称|及|于)")
_STOPS = frozenset("在是的和与及等被说称向对从将已于为也就了、，。：:；（）()《》“”「」 \n")
_DOT = re.compile(r"(?<=[\u4e00-\u9fff])[·.•．・](?=[\u4e00-\u9fff])")
_LATIN = re.compile(r"[A-Z][A-Za-z0-9'&.-]*(?:[ ][A-Z][A-Za-z0-9'&.-]*)*")
_LATIN_ORG = re.compile(
    r"\b(Images|Agency|Press|News|Novosti|Times|Post|Group|Party|Front|Army|Council|Ministry|"
    r"Police|TV|Radio|Network|Jama'?at|Jama'ath|National|Islamic|State|Daily|Media|Service)\b"
)
_DEMONYM = re.compile(r"人(?!民|质|口|员|士|数|群|流|权|道)")
_NOT_PERSON_GLOSS = re.compile(
    r"\b(Island|City|Hall|Province|State|South|North|East|West|New|Street|Road|Square|Park|"
    r"Group|Organi[sz]ation|Treaty|Army|Front|Party|Council|Ministry|Agency|News|Church)\b"
)
_BUILDING = "厅馆楼场院堂寺站"
#: The opening of an Arabic name (Abu, Abdul, Ibn), not a name alone.
_NAME_PREFIXES = frozenset("阿布 阿卜 艾布 阿不 阿卜杜 阿布杜 阿不都 伊本 本".split())
#: Titles written after a name (迈克耶夫少将, 布朗先生).
_TITLE_AFTER = re.compile(
    r"^(少将|中将|上将|大将|将军|上校|中校|少校|上尉|中尉|先生|女士|夫人|博士|教授|总统|总理|首相)"
)
_NOT_NAMES = frozenset("恐怖分子 武装分子 袭击者 枪手 警方 当局 政府 官员 记者 外国人".split())
CLAIM = re.compile(
    r"(?P<claim>(?:被|将\S{0,20}?|把\S{0,20}?)?(?:列为|认定为|定为|宣布为|列入|指定为)"
    r"[^，。；]{0,10}?恐怖(?:主义)?组织(?:名单)?)"
)
_JURISDICTIONS = {"联合国": "UN", "安理会": "UN", "欧盟": "EU", "中方": "CN", "公安部": "CN"}

Word = tuple[int, int, str, str]


@cache
def bodies() -> frozenset[str]:
    path = Path(__file__).with_name("data") / "zh-bodies.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@cache
def all_places() -> dict[str, Place]:
    """The native-script gazetteer with the regions and short names of data/zh-places.txt."""
    from accord.ingest.gazetteer import native_places

    found = dict(native_places())
    path = Path(__file__).with_name("data") / "zh-places.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, english, kind, code = line.split("\t")
            found[name] = Place(english, kind, None if code == "-" else code, True)
    return found


@lru_cache(maxsize=8)
def simple(text: str) -> str:
    """The text in Simplified characters, one for one (a character ICU would make two stays)."""
    out = []
    for char in text:
        if "\u4e00" <= char <= "\u9fff":
            converted = _simplified_char(char)
            out.append(converted if len(converted) == 1 else char)
        else:
            out.append(char)
    return "".join(out)


@cache
def _simplified_char(char: str) -> str:
    return simplified(char)


@lru_cache(maxsize=64)
def words(text: str, start: int, end: int) -> tuple[Word, ...]:
    """jieba's words of text[start:end], cut and tagged on the Simplified copy."""
    plain = simple(text)
    found = []
    cursor = start
    for pair in chinese().cut(plain[start:end]):
        found.append((cursor, cursor + len(pair.word), pair.word, pair.flag))
        cursor += len(pair.word)
    return tuple(found)


def entities(text: str, spans: list[tuple[int, int]]) -> list[Proposal]:
    """jieba's tagged words as names, adjacent words of one kind joined."""
    found: list[Proposal] = []
    for offset, end in spans:
        for start, stop, word, flag in words(text, offset, end):
            kind = JIEBA_KINDS.get(flag)
            if kind is None or len(word) < 2:
                continue
            last = found[-1] if found else None
            if last is not None and last.end == start and last.kind == kind:
                found[-1] = Proposal(kind, last.start, stop, text[last.start : stop], flag)
            else:
                found.append(Proposal(kind, start, stop, text[start:stop], flag))
    return found


def _clean(word: str) -> str:
    stripped = _LEADING.sub("", word)
    return stripped if len(stripped) >= 2 else word


def refine(text: str, kept: list[tuple[int, int]], model: list[Proposal]) -> list[Proposal]:
    """The names of the kept spans: rules first, then the gazetteer, then transcription runs
    and jieba's own tags where the context confirms them; no two overlap."""
    places = all_places()
    plain = simple(text)
    strong: list[Proposal] = []
    weak: list[Proposal] = []
    for start, end in kept:
        ws = words(text, start, end)
        strong += _known(text, plain, start, end)
        strong += _latin(text, start, end)
        strong += _dotted(text, ws)
        strong += _bylines(text, plain, start, end)
        strong += _quoted(text, plain, start, end)
        strong += _organisations(text, ws, places)
        strong += _titled(text, plain, ws)
        weak += _places(text, plain, start, end, places, ws)
        weak += _transcribed(text, plain, start, end)
    strong, weak = _not_persons(strong, places), _not_persons(weak, places)
    persons = {p.text for p in strong if p.kind == "person"}
    for p in model:
        word = _clean(p.text)
        at = p.start + (len(p.text) - len(word))
        if word in _NOT_NAMES or len(word) < 2:
            continue
        if p.kind == "person":
            after = plain[at + len(word) : at + len(word) + 4]
            colon = after[:1] in (":", "：") and (at == 0 or text[at - 1] in " \u3000\n")
            if word in persons or _SPEAKS.match(after) or (colon and len(word) <= 3):
                weak.append(Proposal("person", at, at + len(word), word, p.label))
        elif p.kind == "location" and simple(word) in places:
            weak.append(Proposal("location", at, at + len(word), word, p.label))
    chosen: list[Proposal] = []
    taken: list[tuple[int, int]] = []
    for group in (strong, weak):
        for p in sorted(group, key=lambda p: (-(p.end - p.start), p.start)):
            if any(s < p.end and p.start < e for s, e in taken):
                continue
            taken.append((p.start, p.end))
            chosen.append(p)
    return _not_persons(chosen, places)


def place_stem(name: str) -> tuple[str, str]:
    """A place's name without its administrative suffix, and the suffix (白沙瓦市: 白沙瓦, 市)."""
    plain = simple(name)
    if len(plain) >= 3 and plain[-1] in _ADMIN_SUFFIX:
        return plain[:-1], plain[-1]
    return plain, ""


def leading_places(text: str, body: Proposal) -> list[Proposal]:
    """The places a body's name opens with (云南省昆明市中级人民法院: 云南省, 昆明市), below a
    country, each with its suffix; the labels count the place as well as the body."""
    places = all_places()
    plain = simple(text)
    found = []
    i = body.start
    while i < body.end - 2:
        for size in range(min(8, body.end - i - 2), 1, -1):
            known = places.get(plain[i : i + size])
            j = i + size
            if known is None:
                continue
            if j < body.end - 2 and plain[j] in _PLACE_SUFFIX and plain[j + 1] != "立":
                j += 1
            if known.kind == "country" or (j - i < 3 and plain[j - 1] not in _PLACE_SUFFIX):
                i = j
                break
            found.append(Proposal("location", i, j, text[i:j], "in a body's name"))
            i = j
            break
        else:
            break
    return found


def _not_persons(found: list[Proposal], places: dict[str, Place]) -> list[Proposal]:
    """Persons that are places (霍洛岛(Jolo Island), a country before a title) become places;
    buildings (市政厅, 大厅) and a name's prefix alone (阿布) are dropped."""
    out = []
    for p in found:
        plain = simple(p.text)
        if p.kind == "person" and _HAN.match(plain):
            if plain in places or plain[-1] in _ADMIN_SUFFIX + "岛村":
                p = Proposal("location", p.start, p.end, p.text, p.label + " place")
            elif plain[-1] in _BUILDING or plain in _NAME_PREFIXES:
                continue
        out.append(p)
    return out


def _known(text: str, plain: str, start: int, end: int) -> list[Proposal]:
    """Widely known bodies by longest match."""
    known = bodies()
    found = []
    i = start
    while i < end:
        for size in range(min(14, end - i), 1, -1):
            if plain[i : i + size] in known:
                j = i + size
                # A country written just before it is part of the name (巴基斯坦塔利班).
                found.append(Proposal("organisation", i, j, text[i:j], "known"))
                i = j
                break
        else:
            i += 1
    return found


def _latin(text: str, start: int, end: int) -> list[Proposal]:
    """Names in Latin letters inside Chinese text: acronyms and names with an organisation
    word are bodies, two or three capitalised words a person; a gloss in brackets right after
    a Han name is left to that name."""
    found = []
    for match in _LATIN.finditer(text, start, end):
        name = match.group().rstrip(".-")
        s = match.start()
        if len(name) < 2 or (s > 0 and text[s - 1].isalnum()):
            continue
        before = text[max(start, s - 2) : s]
        if before[-1:] in "(（" and _HAN.match(before[:1] or "x"):
            continue
        after = text[s + len(name) : s + len(name) + 4]
        tokens = name.split()
        head = re.match(rf"(?:{_ORG_HEADS})", simple(after))
        if head:
            e = s + len(name) + head.end()
            found.append(Proposal("organisation", s, e, text[s:e], "latin head"))
        elif _LATIN_ORG.search(name) or (
            len(tokens) == 1 and name.isupper() and len(name) <= 6 and name.isalpha()
        ):
            found.append(Proposal("organisation", s, s + len(name), name, "latin"))
        elif 2 <= len(tokens) <= 3 and "." not in name:
            found.append(Proposal("person", s, s + len(name), name, "latin"))
    return found


_PART_FLAGS = frozenset("nr nrfg nrt nz x ns ng j eng".split())


def _dotted(text: str, ws: tuple[Word, ...]) -> list[Proposal]:
    """Names whose parts a middle dot joins (买买提明·艾孜来提, 玉山.買買提): the words on
    each side that read as names or are single characters jieba could not place."""
    found: list[Proposal] = []

    def part(n: int, near: bool = True) -> bool:
        s, e, word, flag = ws[n]
        if not _HAN.match(word) or word in _STOPS or (flag == "ns" and not near):
            return False
        if e - s == 1:
            return flag not in ("p", "c", "uj", "ul", "d", "f")
        return flag in _PART_FLAGS or (e - s == 2 and flag in ("n", "v", "a", "m", "nrt"))

    for n, (s, e, word, _flag) in enumerate(ws):
        if not (_DOT.fullmatch(word) or word in "·.•．・") or n == 0 or n + 1 >= len(ws):
            continue
        if not (part(n - 1) and part(n + 1)):
            continue
        k = n - 1
        while k > 0 and part(k - 1, False) and s - ws[k - 1][0] <= 6:
            k -= 1
        left = ws[k][0]
        titled = list(
            re.finditer(_TITLE_WORDS + "|被告人|伙同|联系不上|不上", simple(text[left:s]))
        )
        if titled:
            left += titled[-1].end()
        m = n + 1
        while m + 1 < len(ws) and part(m + 1) and ws[m + 1][1] - e <= 6:
            m += 1
        if m + 2 < len(ws) and ws[m + 1][2] in "·.•．・" and part(m + 2):
            m += 2
        right = ws[m][1]
        if left >= s or any(p.start <= left < p.end for p in found):
            continue
        kind = "person"
        if right < len(text) and simple(text[right]) in _PLACE_SUFFIX:
            kind, right = "location", right + 1
        elif simple(text[right - 1]) in "镇村县州省市" and e < right - 1:
            kind = "location"
        elif simple(text[right - 2]) in "镇村县州省市" and text[right - 1] in _STOPS | {"为"}:
            kind, right = "location", right - 1  # 赛达·宰纳卜镇为: the town, then "is"
        found.append(Proposal(kind, left, right, text[left:right], "dotted"))
    return found


def _bylines(text: str, plain: str, start: int, end: int) -> list[Proposal]:
    found = []
    for match in _BYLINE.finditer(plain, start, end):
        cursor = match.start("names")
        for part in re.split(r"(\s*[、，,]\s*)", match.group("names")):
            if _HAN.match(part[:1] or "x") and 2 <= len(part) <= 3 and not _CREDIT.match(part):
                found.append(
                    Proposal(
                        "person",
                        cursor,
                        cursor + len(part),
                        text[cursor : cursor + len(part)],
                        "byline",
                    )
                )
            cursor += len(part)
    return found


def _titled(text: str, plain: str, ws: tuple[Word, ...]) -> list[Proposal]:
    """A name right after a title word (代表刘结一, 副总统万斯) or glossed in Latin."""
    found = []
    for n, (s, e, word, flag) in enumerate(ws):
        if flag not in ("nr", "nrfg", "nrt", "nz", "x", "v", "n") or not _HAN.match(word):
            continue
        before = plain[max(0, s - 4) : s]
        gloss = re.match(r"\s*[(（][A-Z][a-z]+ [A-Z][^)）]*", plain[e : e + 60])
        glossed = gloss and not _NOT_PERSON_GLOSS.search(gloss.group())
        if gloss and not glossed and plain[e - 1] in _PLACE_SUFFIX and e - s >= 2:
            found.append(
                Proposal("location", s, e, text[s:e], "glossed place")
            )  # 霍洛岛(Jolo Island)
        if (
            not (_TITLED.search(before) and flag in ("nr", "nrfg", "nrt", "nz", "x"))
            and not glossed
        ):
            continue
        stop = e
        k = n + 1
        # A cut name: single characters jieba left over (刘结/一).
        while k < len(ws) and len(ws[k][2]) == 1 and ws[k][2] not in _STOPS and stop - s < 4:
            spelt = ws[k][3] == "j" and ws[k][2] in TRANSCRIPTION and ws[k][2] != "于"
            if (
                ws[k][3] not in ("m", "nr", "x", "ng", "nrfg")
                and not spelt
                or not _HAN.match(ws[k][2])
            ):
                break
            stop = ws[k][1]
            k += 1
        if glossed and n > 0 and ws[n - 1][3] in ("nr", "nrt", "nz", "x"):
            s = ws[n - 1][0] if _HAN.match(ws[n - 1][2]) else s
        # A glossed name jieba cut in pieces (拉查/巴利/佐达(...)): its transcription run.
        while glossed and s > 0 and plain[s - 1] in TRANSCRIPTION - {"于", "·"} and stop - s < 8:
            s -= 1
        if not glossed and _LEADING.match(plain[s]):
            continue  # 枪手从树林, 嫌犯于柏林: a preposition, so no name right after the title
        name = text[s:stop]
        if 2 <= len(name) <= 8 and name not in _NOT_NAMES:
            found.append(Proposal("person", s, stop, name, "titled"))
    return found


def _places(
    text: str, plain: str, start: int, end: int, places: dict[str, Place], ws: tuple[Word, ...]
) -> list[Proposal]:
    located = {(s, e) for s, e, _, flag in ws if flag == "ns"}
    bounds = {s for s, *_ in ws} | {e for _, e, *_ in ws}
    found = []
    i = start
    while i < end:
        for size in range(min(12, end - i), 1, -1):
            word = plain[i : i + size]
            known = places.get(word) or places.get(text[i : i + size])
            if known is None:
                continue
            j = i + size
            if j < end and plain[j] in _PLACE_SUFFIX and plain[j + 1 : j + 2] != "立":
                j += 1
            elif not (known.prominent or size >= 3 or (i, j) in located):
                continue
            if _DEMONYM.match(plain, j):
                i = j  # 突尼斯人: a nationality, not the place
                break
            if i not in bounds or (j not in bounds and plain[j - 1] not in _PLACE_SUFFIX):
                if not known.prominent:
                    continue
            found.append(Proposal("location", i, j, text[i:j], "gazetteer"))
            i = j
            break
        else:
            i += 1
    return found


def _transcribed(text: str, plain: str, start: int, end: int) -> list[Proposal]:
    """Transcription runs: places before 市, 州, 省; persons by a title or a nationality."""
    places = all_places()
    found = []
    i = start
    while i < end:
        if plain[i] not in TRANSCRIPTION:
            i += 1
            continue
        j = i
        while j < end and plain[j] in TRANSCRIPTION:
            j += 1
        if plain[i] in "于以" and j - i >= 3 and j < end and plain[j] in _PLACE_SUFFIX:
            i += 1  # 于柏林市: the preposition before the name
            found.append(Proposal("location", i, j + 1, text[i : j + 1], "transcribed"))
        elif j - i >= 3:
            after, before = plain[j : j + 4], plain[max(start, i - 6) : i]
            nationality = before.endswith("人") and any(
                before[:-1].endswith(c) and places[c].kind == "country"
                for c in (before[-1 - n : -1] for n in range(2, 6))
                if c in places
            )
            if after[:1] and after[0] in _PLACE_SUFFIX:
                found.append(Proposal("location", i, j + 1, text[i : j + 1], "transcribed"))
            elif (
                _TITLED.search(before)
                or _SPEAKS.match(after)
                or _TITLE_AFTER.match(after)
                or nationality
            ):
                found.append(Proposal("person", i, j, text[i:j].strip("·"), "transcribed"))
        i = j
    return found


def _organisations(text: str, ws: tuple[Word, ...], places: dict[str, Place]) -> list[Proposal]:
    """Organisations by their head word, over the name-like words jieba cuts before it."""
    found = []
    for n, (_s, e, word, flag) in enumerate(ws):
        head = _HEAD.match(word) or (
            _HEAD_END.search(word) and flag in ("n", "nt") and len(word) >= 3
        )
        if not head:
            continue
        # Heads that follow each other (机构/理事会) belong to one name: take the last.
        if n + 1 < len(ws) and _HEAD.match(ws[n + 1][2]):
            continue
        k = n
        while k > 0 and (ws[k - 1][3] in _WALK_FLAGS or _HEAD.match(ws[k - 1][2])) and n - k < 6:
            if (
                ws[k - 1][2] in _NOT_NAMES
                or ws[k - 1][2] in _ORG_BREAK
                or not (_HAN.match(ws[k - 1][2]) or ws[k - 1][3] == "eng")
            ):
                break
            k -= 1
        while k < n and ws[k][3] in ("m",):
            k += 1
        begin = ws[k][0]
        name = text[begin:e]
        plain = simple(name)
        modifier = plain[: len(plain) - len(_HEAD_END.search(plain).group())]  # type: ignore[union-attr]
        proper = any(ws[i][3] in _NAME_FLAGS for i in range(k, n + 1)) or flag == "nt"
        lead = _DATELINE.match(plain)
        if lead:
            begin += lead.end()
            name, plain = text[begin:e], plain[lead.end() :]
        if len(name) < 3 or plain in places or plain in _NOT_NAMES:
            continue
        if (
            _NOT_BODY_START.match(modifier)
            or _NOT_BODY.search(plain)
            or modifier[-1:] in tuple("一某该这此")
        ):
            continue
        if any(plain.endswith(b) and plain[: -len(b)] in places for b in bodies()):
            continue  # 英国路透社: the country and the agency, each on its own
        if not proper and not (_MINISTRY.search(plain) and len(modifier) >= 2):
            continue
        rest = modifier[_GENERIC.match(modifier).end() :]  # type: ignore[union-attr]
        if not rest and modifier not in places and not _MINISTRY.search(plain):
            continue
        # A generic body after a place alone (叙利亚极端组织) is a description, not a name.
        if plain.endswith(("极端组织", "恐怖组织", "武装组织")):
            continue
        found.append(Proposal("organisation", begin, e, name, "head word"))
    return found


def _quoted(text: str, plain: str, start: int, end: int) -> list[Proposal]:
    found = []
    for match in _QUOTED.finditer(plain, start, end):
        name = match.group("name")
        after = plain[match.end() : match.end() + 4]
        before = plain[max(start, match.start() - 4) : match.start()]
        if (
            _GROUPISH_AFTER.match(after)
            or before.endswith(("组织", "团体", "武装"))
            or _HEAD_END.search(name)
        ):
            s, e = match.start("name"), match.end("name")
            found.append(Proposal("organisation", s, e, text[s:e], "quoted"))
    return found


def claims(text: str, start: int, end: int, places: dict[str, Place]) -> list[dict[str, Any]]:
    """Designation claims in a Chinese sentence, with the jurisdiction named before them."""
    found = []
    plain = simple(text)
    for match in CLAIM.finditer(plain, start, end):
        before = plain[start : match.start()]
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
        claim = text[match.start() : match.end()]
        found.append(
            {
                "claim": claim,
                "jurisdiction": where,
                "source": "the article",
                "evidence": {"start": match.start(), "end": match.end(), "text": claim},
            }
        )
    return found
