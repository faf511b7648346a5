"""The Chinese rule layer on sentences written for these tests."""

from __future__ import annotations

import time

from accord.ingest import chinese
from accord.ingest.nlp import Proposal


def read(text: str) -> list[Proposal]:
    kept = [(0, len(text))]
    return chinese.refine(text, kept, chinese.entities(text, kept))


def names(found: list[Proposal], kind: str) -> set[str]:
    return {p.text for p in found if p.kind == kind}


def test_offsets_index_the_text() -> None:
    text = "新华社北京3月5日电（记者王小明）外交部发言人表示，中方愿与巴基斯坦加强反恐合作。"
    found = read(text)
    assert found
    for p in found:
        assert text[p.start : p.end] == p.text


def test_known_bodies_ministries_and_bylines() -> None:
    text = "新华社北京3月5日电（记者王小明）外交部发言人表示，中方愿与巴基斯坦加强反恐合作。"
    found = read(text)
    assert {"新华社", "外交部"} <= names(found, "organisation")
    assert "王小明" in names(found, "person")
    assert "巴基斯坦" in names(found, "location")
    at = text.index("王小明")
    assert any(p.start == at and p.end == at + 3 for p in found)


def test_traditional_text_is_read_through_a_simplified_copy() -> None:
    text = "路透社報導，極端組織「伊斯蘭國」聲稱對襲擊負責，俄羅斯聯邦安全局展開調查。"
    found = read(text)
    orgs = names(found, "organisation")
    assert {"路透社", "伊斯蘭國"} <= orgs
    assert "極端組織" not in orgs


def test_middle_dot_names_are_whole_and_not_glued() -> None:
    text = "警方逮捕了嫌疑人艾山·买合苏木，他在喀什被捕。"
    found = read(text)
    assert "艾山·买合苏木" in names(found, "person")


def test_title_before_a_name_and_no_dictionary_words_as_persons() -> None:
    text = "美国副总统万斯正在印度访问，他很荣幸地度过余生。"
    found = read(text)
    persons = names(found, "person")
    assert "万斯" in persons
    assert not {"荣幸", "余生"} & persons


def test_regions_and_head_words() -> None:
    text = "塔吉克斯坦国家安全委员会称，该组织在中亚和南亚活动。"
    found = read(text)
    assert "塔吉克斯坦国家安全委员会" in names(found, "organisation")
    assert {"中亚", "南亚"} <= names(found, "location")


def test_a_long_article_is_quick() -> None:
    text = "美国副总统万斯正在印度访问。路透社报导，巴基斯坦安全部队在白沙瓦市遭到袭击。" * 60
    read(text[:50])
    began = time.perf_counter()
    read(text)
    assert time.perf_counter() - began < 0.5


def test_credit_lines_outside_the_body_are_kept_and_read() -> None:
    from accord.ingest.clean import clean
    from accord.ingest.source import Document

    body = "警方表示，武装分子周一在城市中心的一处市场引爆炸弹，造成至少十二人死亡，多人受伤。"
    text = f"撰文: 王小明\n{body}\n(責任編輯:李大華 AB123)\n相关新闻"
    document = clean(Document(text))
    kept = [text[s:e] for s, e in document.kept]
    assert "撰文: 王小明" in kept and "(責任編輯:李大華 AB123)" in kept
    assert "相关新闻" not in kept
    found = chinese.refine(text, document.kept, chinese.entities(text, document.kept))
    assert {"王小明", "李大華"} <= names(found, "person")
    assert "AB123" not in names(found, "organisation")
    dated = "中国日报网10月8日电(张小红) 据报道，警方挫败了一起袭击阴谋。（图／翻摄自网络）"
    persons = names(read(dated), "person")
    assert "张小红" in persons and "翻摄自" not in persons


def test_places_a_body_opens_with_and_one_place_with_or_without_its_suffix() -> None:
    from accord.ingest.native import ChineseReader
    from accord.ingest.pipeline import ingest

    text = (
        "河南省郑州市中级人民法院周一开庭审理一宗暴力恐怖案。法院表示，被告人在郑州火车站"
        "持刀袭击旅客。郑州市警方称，案件仍在调查。\n（责任编辑：王小明）"
    )
    result = ingest(text, "https://example.org/zh", None)
    places = {p["name"]: p.get("aliases", []) for p in result["locations"]}
    assert "河南省" in places
    assert [name for name in places if name.startswith("郑州")] == ["郑州市"]
    assert "郑州" in places["郑州市"]
    assert "河南省郑州市中级人民法院" in {o["name"] for o in result["organisations"]}
    assert ChineseReader.language == "zh"


def test_a_body_s_name_stops_at_where_it_is_and_state_run_is_no_place() -> None:
    found = read("据伊斯兰堡市所在旁遮普省红新月会的消息，马尼拉州立大学停课。")
    assert "旁遮普省红新月会" in names(found, "organisation")
    assert not any(p.text.endswith("州") for p in found if p.kind == "location")


def test_persons_by_rank_after_nationality_and_interview_colon_not_places() -> None:
    found = read("演习总导演卡斯米耶夫少将宣布开始。")
    assert "卡斯米耶夫" in names(found, "person")
    found = read("检察官表示，袭击者是一名突尼斯人哈马迪，他在法国居住。")
    assert "哈马迪" in names(found, "person")
    assert "突尼斯" not in names(found, "location")
    found = read("参演部队 张小军：我感到非常荣幸。")
    assert "张小军" in names(found, "person")
    found = read("菲律宾南部霍洛岛(Jolo Island)一座教堂外发生爆炸，阿布说。")
    assert "霍洛岛" not in names(found, "person")
    assert "阿布" not in names(found, "person")
    found = read("警方称，嫌犯于柏林市中心驾车冲撞人群。")
    assert not any(p.text.startswith("于") for p in found)


def test_incidents_from_claims_attackers_victims_and_places() -> None:
    from accord.ingest.pipeline import ingest

    text = (
        "巴基斯坦清真寺遭自杀式袭击\n\n"
        "巴基斯坦西北部城市白沙瓦市周一发生爆炸。一名自杀式炸弹袭击者在白沙瓦市一座清真寺"
        "引爆炸弹，造成至少30名警察死亡。极端组织伊斯兰国宣称对这次袭击负责。"
    )
    result = ingest(text, "https://example.org/zh-attack", None)
    news = [i for i in result["incidents"] if not i["background"]]
    assert news
    roles = {
        role: {p["name"] for i in news for p in i[role]}
        for role in ("perpetrators", "victims", "places")
    }
    assert "自杀式炸弹袭击者" in roles["perpetrators"]
    assert any("伊斯兰国" in name or "ISI" in name for name in roles["perpetrators"])
    assert {"清真寺", "警察"} <= roles["victims"]
    assert "白沙瓦市" in roles["places"]
    for incident in result["incidents"]:
        for role in ("perpetrators", "victims", "places"):
            for party in incident[role]:
                ev = party["evidence"]
                assert text[ev["start"] : ev["end"]] == ev["text"]


def test_cut_names_glossed_names_inner_heads_and_towns_before_a_verb() -> None:
    found = read("上海合作组织地区反恐怖机构理事会主席发表讲话。")
    assert "上海合作组织地区反恐怖机构理事会" in names(found, "organisation")
    found = read("当天为革命卫队前指挥官阿莱曼尼被击杀周年。")
    assert "阿莱曼尼" in names(found, "person")
    found = read("塔斯社报导,卡拉巴利佐夫(Murod Alizoda Sai)面临指控。")
    assert "卡拉巴利佐夫" in names(found, "person")
    found = read("新南威尔士(New South Wales)警方表示，霍洛岛(Jolo Island)发生爆炸。")
    assert not {"南威尔士", "霍洛岛"} & names(found, "person")
    assert "霍洛岛" in names(found, "location")
    found = read("叙利亚南郊赛达·宰纳卜镇为什叶派圣地。")
    assert "赛达·宰纳卜镇" in names(found, "location")
