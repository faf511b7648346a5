"""Given names that are one name in several languages, common short forms of given names, and
the romanisations of Korean family names (Ri/Lee/Yi/Rhee, Pak/Park/Bak, Kang/Gang...).

A border officer reads "Yusuf" on a passport and "Joseph" on a list; "Ivan" and "John";
"Fyodor", "Theodore" and "Ted". Each line below is one family of equivalent forms, already
in the folded spelling that :func:`accord.screening.normalise.fold` gives. A word may sit in
several families (Ted: Theodore and Edward); two words are equivalent when they share one.
These are linguistic facts about names, not about people: no family says anything of who
carries the name.
"""

from __future__ import annotations

from accord.screening.normalise import fold

_FAMILIES = """
john juan jean johann johannes ivan giovanni jan joao yahya ioann ioannis sean jon
joseph josef jose yusuf yosef iosif giuseppe osip yusup jusuf youssef yousef yousif yusif
yusuf youcef youssouf
michael mikhail michel miguel mikael mihail mikhael michail mike mick
peter pyotr petr pierre pedro pietro butrus petro
paul pavel pablo paolo paulo
jacob yakov jakob yaqub yakub giacomo jacques
abraham ibrahim avraam avram
moses musa moshe moisei moises
david dawud daud dovud davit
solomon suleiman sulayman suleyman sulaiman suleman
george georgy georgi jorge giorgi georgios jurgen
alexander aleksandr alexandre alejandro alessandro iskandar aleksander oleksandr sasha alex
theodore fyodor fedor teodor ted teddy theo
edward eduard edouard eduardo ted ed eddie
benjamin ben veniamin binyamin benny
william bill will wilhelm guillaume guillermo willem
robert bob rob bobby roberto
richard rick dick ricardo
nicholas nikolai nikolay nicolas nick nikola niccolo mykola
gregory grigory grigori gregor gregorio
stephen steven stepan esteban stefan steve stefano etienne
andrew andrei andrey andres andre andrea andriy
daniel danil daniil danny daniele
elizabeth liz elisabeth yelizaveta elizaveta isabel
catherine katherine kate ekaterina yekaterina katarina caterina
mary maria mariya maryam miriam marie
matthew matvei matvey mateo matthias matteo
thomas tom foma tomas tommaso
anthony anton antonio tony antoine
elijah ilya ilyas elias
isaac ishaq isak
ishmael ismail
aaron harun
zachary zakariya zakaria zaharia
jonah yunus yunus jonas
job ayub ayyub
noah nuh noe
james jim jimmy jamie
ri lee yi rhee i li rhie ni
pak park bak
kang gang kan
jong chong jeong chung jung cheong chjon chjun
kim gim
choe choi chwe tsoi tsoy
ryu yu yoo
o oh
yun yoon
jang chang chan
jon chon jeon chun
ko go koh
so seo suh
sin shin
rim im lim
ryang yang
ro no roh noh
mun moon
hwang whang hvan
han
son sohn
ju joo chu
jo cho
song
choe
min
mun moon
hong
""".strip()


_KOREAN_START = _FAMILIES.splitlines().index("ri lee yi rhee i li rhie ni")


def _families(lines: str) -> dict[str, frozenset[int]]:
    """Each folded word and the numbers of the lines (families) that hold it."""
    families: dict[str, set[int]] = {}
    for number, line in enumerate(lines.splitlines()):
        for word in line.split():
            families.setdefault(fold(word), set()).add(number)
    return {word: frozenset(numbers) for word, numbers in families.items()}


FAMILIES = _families(_FAMILIES)
#: Korean family names in every romanisation above (folded).
KOREAN_FAMILY_NAMES = frozenset(
    fold(word) for line in _FAMILIES.splitlines()[_KOREAN_START:] for word in line.split()
)


#: Given names so widely held that one alone says nothing of who is meant (the commonest in
#: the Arabic-, Persian-, Turkic-, Russian- and English-speaking world, and the Korean and
#: Chinese family names most held), folded. A match on one of them alone is capped below
#: the default threshold; with a second part in common it counts as any name part.
COMMON_GIVEN_NAMES = frozenset(
    fold(word)
    for word in """
    muhammad mohammed ahmad ahmed mahmud mahmoud mustafa ali hasan hassan husayn hussein umar
    omar uthman usman abdallah abdullah ibrahim yusuf yousef ismail khalid khaled said saeed
    salim salem karim rashid hamid hamza hamzah yasin yassin yahya zakariya musa isa idris
    tariq faisal jamal kamal abbas anwar bilal hani nabil walid samir sami adil adel amir
    aziz bashir nasir nasser qasim kasim jafar murad sulayman suleiman salman sultan malik
    hafiz akbar akram aslam asif imran irfan javed naveed shahid zahid sajid arif
    asad assad saleh salih khan shah mirza sheikh haji mullah nabi nur noor din
    rustam farhod shavkat alisher bakhtiyor timur ruslan ivan sergei aleksandr vladimir
    dmitri andrei nikolai john james david michael peter paul
    kim ri lee yi pak park choe choi jong jeong kang han jang chang wang zhang liu chen yang
    zhao huang zhou wu xu sun ma zhu hu guo he lin gao luo li
    """.split()
)


#: Words of organisation names and the English words lists translate them by: Arabic, Persian
#: and Urdu as romanised ("Jaish-e-Mohammed" is "Muhammad's Army"), and the English names of
#: a few regions that one region goes by (al-Sham, the Levant). Linguistic facts, folded.
_TRANSLATIONS = """
army jaish jaysh lashkar
soldiers jund
supporters ansar
movement harakat harkat haraka hareket tehrik tahrik
party hizb
front jabhat jabha
state dawla dawlat daula dawlah
organization tanzim organisation
emirate imarat imara
brigades brigade kataib katiba liwa
martyrs shuhada
base qaida qaeda
caliphate khilafa khilafat
group jamaat jamat jamaa jamah jemaah
society jamiat jamiya jamiyat
network shabaka
union itihad itihaad
call dawa dawah
monotheism tawhid tauhid
levant sham syria
liberation tahrir
province wilayat wilaya vilayet
mujahideen mujahidin mujahedin mujahedeen mujahidiin
sharia shariah charia shariat sharyat
free ahrar
people ahl ahle ahlus
revival ihya renaissance
heritage turath
conquest fath
caucasus kavkaz
khorasan khurasan
turkistan turkestan
council shura
forces force
sunna sunnah
""".strip()


TRANSLATIONS = _families(_TRANSLATIONS)


#: The commonest Chinese family names in pinyin (folded), for telling a Chinese name in
#: pinyin, every syllable of which counts.
CHINESE_FAMILY_NAMES = frozenset(
    fold(word)
    for word in """
    wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng
    liang xie song tang han feng deng cao peng zeng xiao tian dong yuan pan cai jiang yu du ye
    cheng su wei lu ding ren shen yao jiang fan fang jin shi tan liao zou xiong qiu qin jiang
    chang chao chou hsu chu kuo ho kao lo hsieh sung teng tsao tseng hsiao tien tung tsai
    chiang tu yeh ting jen chin shih tsou hsiung chiu xi hsi mao
    """.split()
)
