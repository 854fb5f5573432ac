"""Reference data from 協働のまちづくり指針【改定版】 and Muroran's town names.

The texts are the guideline's own (chapter 1: 協働の主体, 基本原則, 形態; chapter 3: 3つの柱,
5つの方針). Staff may edit them in the admin afterwards; this migration only loads them once.
"""

from django.db import migrations

ACTOR_TYPES = [
    # code, name, English, definition, can register as an organisation
    ("individual", "市民（市民個人）", "Individual resident",
     "室蘭で暮らす、働く、学ぶ、集うなど、本市に関係する全ての個人", False),
    ("neighbourhood", "町内会・自治会", "Neighbourhood association",
     "町内会・自治会などの地縁による団体", True),
    ("npo", "市民活動団体（NPO）", "Civic group (NPO)",
     "NPO法人、ボランティア団体、その他市内で活動する市民活動団体など", True),
    ("university", "大学等", "University or school",
     "大学、専門学校、研究機関など", True),
    ("business", "企業・団体", "Company or business group",
     "企業、事業所、商店街振興組合など", True),
    ("government", "行政", "Government",
     "市などの行政機関", True),
]

# 室蘭市の町名 (town names), roughly from the west (絵鞆半島) to the east and north.
DISTRICTS = [
    ("絵鞆町", "エトモチョウ"), ("祝津町", "シュクツチョウ"), ("増市町", "マスイチチョウ"),
    ("茶津町", "チャツチョウ"), ("本町", "ホンチョウ"), ("幕西町", "マクニシチョウ"),
    ("山手町", "ヤマテチョウ"), ("清水町", "シミズチョウ"), ("常盤町", "トキワチョウ"),
    ("中央町", "チュウオウチョウ"), ("海岸町", "カイガンチョウ"), ("入江町", "イリエチョウ"),
    ("舟見町", "フナミチョウ"), ("西小路町", "ニシコウジチョウ"), ("緑町", "ミドリチョウ"),
    ("栄町", "サカエマチ"), ("幸町", "サイワイチョウ"), ("沢町", "サワマチ"),
    ("小橋内町", "オハシナイチョウ"), ("築地町", "ツキジチョウ"), ("新富町", "シントミチョウ"),
    ("御崎町", "ミサキチョウ"), ("母恋北町", "ボコイキタマチ"), ("母恋南町", "ボコイミナミマチ"),
    ("輪西町", "ワニシチョウ"), ("仲町", "ナカマチ"), ("中町", "ナカチョウ"),
    ("御前水町", "ゴゼンスイチョウ"), ("大沢町", "オオサワチョウ"), ("東町", "ヒガシマチ"),
    ("中島町", "ナカジマチョウ"), ("中島本町", "ナカジマホンチョウ"), ("日の出町", "ヒノデチョウ"),
    ("高砂町", "タカサゴチョウ"), ("天神町", "テンジンチョウ"), ("寿町", "コトブキチョウ"),
    ("知利別町", "チリベツチョウ"), ("宮の森町", "ミヤノモリチョウ"), ("八丁平", "ハッチョウダイラ"),
    ("水元町", "ミズモトチョウ"), ("弥生町", "ヤヨイチョウ"), ("みゆき町", "ミユキチョウ"),
    ("高平町", "タカヒラチョウ"), ("柏木町", "カシワギチョウ"), ("港北町", "コウホクチョウ"),
    ("神代町", "カミヨチョウ"), ("本輪西町", "モトワニシチョウ"), ("幌萌町", "ホロモイチョウ"),
    ("香川町", "カガワチョウ"), ("石川町", "イシカワチョウ"), ("崎守町", "サキモリチョウ"),
    ("陣屋町", "ジンヤチョウ"), ("白鳥台", "ハクチョウダイ"),
]

# 活動分野, after the fields of the NPO law that Muroran's civic groups work in.
ACTIVITY_FIELDS = [
    ("保健・医療・福祉", "Health, medical care and welfare"),
    ("子育て・子どもの健全育成", "Child-rearing and children"),
    ("まちづくり・地域活性化", "Community development"),
    ("環境保全・美化", "Environment and clean-up"),
    ("防災・防犯・地域安全", "Disaster prevention and safety"),
    ("学術・文化・芸術・スポーツ", "Learning, culture, arts and sport"),
    ("生涯学習・社会教育", "Lifelong learning"),
    ("観光・港・交流", "Tourism, port and exchange"),
    ("国際協力・多文化共生", "International cooperation"),
    ("男女共同参画", "Gender equality"),
    ("経済・商店街振興", "Local economy and shopping streets"),
    ("高齢者支援", "Support for older people"),
]

LEADS = [
    ("citizen-led", "市民主導", "Led by residents",
     "市民が主体的に実施し、行政が支援・協力する。"),
    ("cooperation", "協力・連携", "Cooperation and partnership",
     "市民と行政が協力・連携して実施する。"),
    ("city-led", "行政主導", "Led by the city",
     "行政が主体となり、市民の意見や力を反映させる。"),
]

FORMS = [
    # lead, code, name, English, 実施方法 (市と市民の場合), 具体例
    ("citizen-led", "subsidy", "補助", "Subsidy",
     "市民と市との共通の目的を達成するため、市民が実施する事業に対し、市が資金を支援する形態。"
     "補助する、補助を受けるという立場の違いから、対等性を失いやすいので注意が必要。",
     "町内会・自治会への各種補助金、福祉・スポーツへの補助金、市民活動への「まちづくり活動支援補助金」"),
    ("citizen-led", "patronage", "後援", "Patronage",
     "市民の実施する事業に対して、市が趣旨に賛同し、後援者として名を連ねる外部的な支援の形態。"
     "財政的な支援はないが、社会的信頼性が保てることから、事業を効果的に実施できる。",
     "市民の実施するさまざまなイベントや事業のポスター・チラシ等への記載"),
    ("cooperation", "co-hosting", "共催", "Co-hosting",
     "市民と市が共に主催者となって共同で一つの事業を行なう形態。"
     "それぞれの専門性を生かすことができるので、単独主催よりも内容の充実が図られる。",
     "防災訓練の実施、室蘭市男女共生セミナーの開催、室蘭市男女平等参画プラザ祭の開催"),
    ("cooperation", "agreement", "事業協力・協定", "Cooperation agreement",
     "市民と市が、それぞれの特性を生かし、一定期間、継続的に協力して事業を実施する形態。"
     "一般的には事業の目的や役割分担、経費負担などを取り決めた協定書等を締結し、継続的に協力することで、"
     "協働の意識の啓発や醸成につながる。",
     "自主防災組織の結成、行政パートナー制度を活用した事業、花と緑のサークル都市づくり事業、"
     "客船等寄港事業、ビオトープ・イタンキ管理協定、災害時協定"),
    ("cooperation", "information", "情報提供・情報交換", "Information sharing",
     "市民と市が、それぞれ持っている情報の提供や、意見交換などを行い情報の共有を図る形態。"
     "情報収集が効果的に行なわれる。",
     "市民活動団体やまち「ピカ」パートナーの情報交換会"),
    ("cooperation", "committee", "実行委員会・協議会", "Executive committee or council",
     "市民と市が構成員となり新たな組織をつくり主催者となって事業を実施する形態。"
     "それぞれの専門性を生かすことができるため単独主催よりも内容の充実が図られるが、"
     "企画段階からの十分な協議や情報共有、経費負担、役割分担を明確にしておく必要がある。",
     "港まつり・スワンフェスタ・さかなの港町同窓会等の実行委員会、リサイクル協働市民協議会、"
     "みなとオアシス室蘭運営協議会"),
    ("city-led", "commission", "委託", "Commissioning",
     "市が担っている事業の一部または全部を市民に委託し委託者の専門性や柔軟性、先駆性などを生かして、"
     "より効果的な取り組みとする形態。",
     "室蘭市社会福祉協議会、室蘭市体育協会等への事業委託"),
    ("city-led", "participation", "企画立案・計画策定への参画", "Participation in planning",
     "市の事業や計画に市民の専門的な知識や経験、情報等を反映させるため、審議会や委員会に参加して"
     "意見や提案をもらう形態。",
     "計画等のパブリックコメントへの意見提出、まちづくり協議会への参加、市の各種審議会委員"),
]

PRINCIPLES = [
    ("目的共有の原則", "Shared purpose", "何のために協働するのかという目的を共有する。"),
    ("相互理解の原則", "Mutual understanding", "お互いの目的や特性を理解して協力し合う。"),
    ("自主・自立の原則", "Autonomy and independence",
     "自立してそれぞれの力を発揮し合うと共に、相互の自主性を尊重する。"),
    ("対等の原則", "Equal footing", "上下の関係がなく対等な関係にあって相互に補完し合う。"),
    ("役割分担の原則", "Division of roles",
     "それぞれの特性が発揮できるように、果たすべき役割や責務を明確にする。"),
    ("情報公開、情報共有の原則", "Openness and shared information",
     "積極的に情報を公開すると共に情報の共有化に努める。"),
    ("評価の原則", "Evaluation", "相互に取り組みを評価し、次の取り組みに反映させる。"),
]

SPHERES = [
    ("自助", "Self-help",
     "自分のことは自分で解決する。市民個人が自ら取り組む領域。"),
    ("共助", "Mutual help",
     "身内や近隣の方々の協力、町内会などの地域団体で解決する領域。協働の範囲はここに広がり、"
     "市民主導（補助・後援）、協力・連携（共催・協定）、行政主導（委託・計画策定への参画）の形で行われる。"),
    ("公助", "Public help",
     "さらに大きな問題や広範囲に及ぶ場合に、行政が対応する領域。"),
]

PILLARS = [
    ("理念の共有", "Sharing the idea", "～みんなで考えよう～",
     "協働の理念を市民が共有し、相互理解と思いやりにより住み続けたいと思えるまちの姿を描きましょう。"
     "そして、自分ができることや周りとの協力してできることを考えましょう。"),
    ("行動・取り組み", "Action", "～みんなで行動しよう～",
     "共通の認識のもとに、まずは、私たち市民が自ら共に行動しましょう。"
     "協働の理念や取り組みを周りに広げることで、更に住みよいまちづくりは進んでいきます。"),
    ("評価・検証・改善", "Evaluation and improvement", "～みんなでより良くしよう～",
     "これまでの取り組み内容や手法などを振り返ると共に、社会情勢の変化や新たな考え方も取り入れ、"
     "固定観念に捉われず常に最善を目指し改善する姿勢も重要です。"),
]

POLICIES = [
    ("情報の提供・共有", "Providing and sharing information",
     "地域・市民活動、まちの動きを的確にキャッチし、広報紙や報道機関の活用等により情報の提供・共有を図ります。"
     "市の事業計画や進捗状況などの情報提供に際しては、説明会や懇談会を開催し、市民との話し合いの場を設定していきます。",
     "en（えん）とーく、まちづくり出前講座の開催\nICT（情報通信技術）を活用した情報共有システムの構築"),
    ("活動環境の整備", "Improving the environment for activities",
     "地域・市民活動を促進するため必要な支援を行っていきます。団体の高齢化や人材不足等の課題に対応し、"
     "各主体の連携を図るコーディネート機能の充実、ネットワーク構築につながる交流機会の提供を図ります。",
     "市民活動センターを拠点としたコーディネート機能、ネットワークの充実\n"
     "協働事業の立ち上げや継続に向けた支援\n町内会活動の継続や充実に向けた支援"),
    ("参加機会の提供", "Opportunities to take part",
     "市民の持つ知識や経験、能力を公共サービスに生かせる機会や、市の施策等へ意見を反映する機会を増やし、"
     "多くの市民が参加できるような制度の構築とその周知に努めます。",
     "行政パートナー制度への参加促進\nまちづくり協議会等の開催\nパブリックコメントの実施"),
    ("協働意識の醸成と人材育成", "Awareness and people",
     "協働や地域・市民活動に係る講座や講演会などの学習の場を提供し、意識の向上や専門的知識の習得を促進します。"
     "市職員に対しても地域・市民活動への参加を促進し、実践を通じた意識づくりを推進します。",
     "町内会活動やボランティア活動への積極的な参加の働きかけ\n"
     "市民活動センターでの講座等の開催や発表機会の充実\n"
     "協働推進に係る庁内関係部署による横断的な連絡・調整会議の開催"),
    ("協働の検証、評価", "Reviewing and evaluating collaboration",
     "今後の取り組みへつなげるために、市全体や市の協働の取り組みを検証、評価する機会を作ります。",
     "市民協働推進委員会による進捗の検証、評価\n"
     "協働推進に係る庁内関係部署による進捗の自己検証、自己評価\n"
     "まちづくり活動支援補助金採択事業報告会における各団体の成果報告"),
]

# The guideline's own examples of each form, as the first entries of the project catalogue.
PROJECTS = [
    ("まちづくり活動支援補助金", "subsidy", "地域生活課",
     "地域の活性化や課題解決を目的に取り組む市民の自主的なまちづくり事業を対象とした支援制度（平成17年度創設）。"),
    ("町内会・自治会への各種補助", "subsidy", "地域生活課",
     "町内会・自治会の活動や町内会館の維持などに対する補助。"),
    ("市民のイベント・事業への後援", "patronage", "各担当課",
     "市民の実施するイベントや事業に市が後援者として名を連ね、ポスター・チラシ等に記載する。"),
    ("防災訓練", "co-hosting", "防災対策課",
     "地域の避難訓練を町内会・自主防災組織と市が共に主催して実施する。"),
    ("室蘭市男女共生セミナー", "co-hosting", "地域生活課",
     "市民と市が共催する男女共生についてのセミナー。"),
    ("行政パートナー制度（まち「ピカ」・まごころ・まかせて）", "agreement", "地域生活課",
     "市民が自らの知識や経験を生かし、市の事業やイベントに参加・協力し、業務を担う制度（平成17年度制度化）。"),
    ("災害時協定", "agreement", "防災対策課",
     "災害時の物資供給や応急対策について、企業・団体と市が結ぶ協定。"),
    ("ビオトープ・イタンキ管理協定", "agreement", "環境課",
     "イタンキ浜周辺のビオトープを市民団体と市が協定に基づいて継続的に管理する。"),
    ("まち「ピカ」パートナー情報交換会", "information", "地域生活課",
     "清掃美化活動を行うまち「ピカ」パートナーと市が情報を交換する会。"),
    ("港まつり実行委員会", "committee", "観光課",
     "室蘭港まつりを市民・団体・市で構成する実行委員会が主催する。"),
    ("みなとオアシス室蘭運営協議会", "committee", "港湾政策課",
     "みなとオアシス室蘭の運営を市民・団体・市で構成する協議会が担う。"),
    ("社会福祉協議会・体育協会への事業委託", "commission", "保健福祉部・教育部",
     "市の事業の一部を室蘭市社会福祉協議会、室蘭市体育協会等に委託する。"),
    ("パブリックコメント", "participation", "各担当課",
     "市の計画などへの意見を募集し、意見を考慮して意思決定を行う手続き（平成21年10月制度化）。"),
    ("まちづくり協議会", "participation", "地域生活課",
     "市が実施する事業の企画構想段階において、ワークショップにより市民意見を求める方法（平成25年4月制度化）。"),
]
PROJECT_FISCAL_YEAR = 2026


def load(apps, schema_editor):
    get = apps.get_model
    ActorType = get("organizations", "ActorType")
    for order, (code, name, name_en, definition, is_org) in enumerate(ACTOR_TYPES, 1):
        ActorType.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "definition": definition,
                      "is_organisation": is_org, "sort_order": order},
        )
    District = get("organizations", "District")
    for order, (name, kana) in enumerate(DISTRICTS, 1):
        District.objects.update_or_create(name=name, defaults={"kana": kana, "sort_order": order})
    ActivityField = get("organizations", "ActivityField")
    for order, (name, name_en) in enumerate(ACTIVITY_FIELDS, 1):
        ActivityField.objects.get_or_create(name=name, defaults={"name_en": name_en, "sort_order": order})
    Lead = get("organizations", "CollaborationLead")
    leads = {}
    for order, (code, name, name_en, description) in enumerate(LEADS, 1):
        leads[code], _ = Lead.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "description": description, "sort_order": order},
        )
    Form = get("organizations", "CollaborationForm")
    forms = {}
    for order, (lead, code, name, name_en, description, examples) in enumerate(FORMS, 1):
        forms[code], _ = Form.objects.update_or_create(
            code=code,
            defaults={"lead": leads[lead], "name": name, "name_en": name_en,
                      "description": description, "examples": examples, "sort_order": order},
        )
    for model, rows in (("Principle", PRINCIPLES), ("SupportSphere", SPHERES)):
        Model = get("organizations", model)
        for order, (name, name_en, description) in enumerate(rows, 1):
            Model.objects.get_or_create(
                name=name, defaults={"name_en": name_en, "description": description, "sort_order": order}
            )
    Pillar = get("organizations", "Pillar")
    for order, (name, name_en, motto, description) in enumerate(PILLARS, 1):
        Pillar.objects.get_or_create(
            name=name,
            defaults={"name_en": name_en, "motto": motto, "description": description, "sort_order": order},
        )
    Policy = get("organizations", "Policy")
    for order, (name, name_en, description, initiatives) in enumerate(POLICIES, 1):
        Policy.objects.get_or_create(
            name=name,
            defaults={"name_en": name_en, "description": description,
                      "initiatives": initiatives, "sort_order": order},
        )
    Project = get("organizations", "CollaborationProject")
    for title, form, department, description in PROJECTS:
        Project.objects.get_or_create(
            title=title,
            defaults={"form": forms[form], "lead_department": department, "description": description,
                      "fiscal_year": PROJECT_FISCAL_YEAR, "status": "active"},
        )


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
