"""The default case catalog (立案、处置和结案标准) and department list, and the catalog time-limit parser.

The catalog follows the common layout of Chinese 网格化/数字城管 standards: major class (大类, 2-digit code)
→ minor class (小类, 4-digit code = major + 2) → filing condition (立案条件, 6-digit code = minor + 2), each
condition with its level (A most urgent … C routine), handling department, time limit (处置时限) written as
catalogs write it, and closing standard (结案条件). The wording is written for this demo after the pattern of
published city standards; a center replaces it with its own through `gridcmd import-catalog`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dashboard.domain.time_limits import parse_time_limit

LimitKind = Literal["urgent_hours", "work_hours", "work_days", "natural_days"]
Level = Literal["A", "B", "C"]
Tier = Literal["district", "street"]


@dataclass(frozen=True)
class DepartmentSpec:
    """A department that handles dispatched cases."""

    code: str
    name: str
    tier: Tier = "district"


@dataclass(frozen=True)
class ConditionSpec:
    """One filing condition (立案条件) with how it is handled and closed."""

    condition: str
    closing: str
    level: Level
    department: str
    time_limit: str


@dataclass(frozen=True)
class MinorSpec:
    """A minor class (小类) and its filing conditions."""

    name: str
    conditions: tuple[ConditionSpec, ...]


@dataclass(frozen=True)
class MajorSpec:
    """A major class (大类) and its minor classes."""

    name: str
    minors: tuple[MinorSpec, ...]


@dataclass(frozen=True)
class CatalogEntry:
    """One catalog row as stored: codes assigned, time limit parsed."""

    code: str
    major_code: str
    major_name: str
    minor_code: str
    minor_name: str
    condition: str
    closing_standard: str
    level: Level
    department_code: str
    time_limit: str
    limit_kind: LimitKind
    limit_amount: float


# "{district}" is the district's short name (通州 for 110112); a blank short name gives the generic 区… form.
_DISTRICT_DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("CGW", "区城市管理委员会"),
    ("CGZF", "区城管执法局"),
    ("ZJW", "区住房和城乡建设委员会"),
    ("JTJ", "区交通局"),
    ("SWJ", "区水务局"),
    ("STHJ", "区生态环境局"),
    ("SCJG", "区市场监管局"),
    ("GA", "公安{district}分局"),
    ("WJW", "区卫生健康委"),
    ("MZJ", "区民政局"),
    ("YJJ", "区应急管理局"),
    ("YLLH", "区园林绿化局"),
    ("RSJ", "区人力社保局"),
    ("XFB", "区信访办"),
    ("JYW", "区教育委员会"),
    ("WHLY", "区文化和旅游局"),
    ("SFJ", "区司法局"),
    ("XF", "区消防救援支队"),
    ("GDGS", "供电公司"),
    ("RQJT", "燃气集团"),
    ("ZLS", "自来水公司"),
    # Catalogs name "the street where it happened" as handler; dispatch resolves it to the case's street.
    ("JD", "属地街道（乡镇）"),
)

# Street-tier units every street/town gets; code = street code + suffix.
STREET_DEPARTMENT_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("ZF", "综合执法队"),
    ("CG", "城市管理办公室"),
    ("PA", "平安建设办公室"),
)


def district_departments(district_short_name: str = "") -> list[DepartmentSpec]:
    """The default district-tier departments (公安 named after the district when its short name is given)."""
    specs = []
    for code, name in _DISTRICT_DEPARTMENTS:
        if "{district}" in name:
            name = name.format(district=district_short_name) if district_short_name else "区公安分局"
        specs.append(DepartmentSpec(code, name, "street" if code == "JD" else "district"))
    return specs


DEFAULT_DEPARTMENTS: tuple[DepartmentSpec, ...] = tuple(district_departments("通州"))


def street_departments(street_code: str, street_name: str) -> list[DepartmentSpec]:
    """The street-tier units of one street or town (e.g. 110112001ZF 第01街道综合执法队)."""
    return [
        DepartmentSpec(f"{street_code}{suffix}", f"{street_name}{name}", "street")
        for suffix, name in STREET_DEPARTMENT_TEMPLATES
    ]


def _c(condition: str, closing: str, level: Level, department: str, time_limit: str) -> ConditionSpec:
    return ConditionSpec(condition, closing, level, department, time_limit)


# fmt: off
DEFAULT_CATALOG: tuple[MajorSpec, ...] = (
    MajorSpec("社会治安", (
        MinorSpec("矛盾纠纷", (
            _c("邻里、家庭、物业等一般民间纠纷，当事人请求调解的", "调解完毕，双方签字确认或明确表示不再争执",
               "C", "JD", "5个工作日"),
            _c("纠纷有激化苗头，出现肢体冲突或扬言报复、极端行为的", "现场稳控，纠纷化解或移交公安、司法机关处理",
               "A", "GA", "2紧急工作时"),
        )),
        MinorSpec("治安隐患", (
            _c("出租房屋未登记、群租或承租人员信息不清的", "出租房屋和承租人员登记完毕，群租整改到位",
               "B", "GA", "5个工作日"),
            _c("公共场所发现可疑人员或可疑物品的", "公安机关到场核查，处置完毕", "A", "GA", "即时"),
        )),
        MinorSpec("黄赌毒", (
            _c("发现涉黄、涉赌、涉毒违法活动线索的", "公安机关核查处置并反馈查处结果", "A", "GA", "2紧急工作时"),
        )),
        MinorSpec("特殊人群服务管理", (
            _c("社区矫正对象、刑满释放人员等重点人员失联或行为异常的", "落实见面核查，重新纳入管控",
               "A", "SFJ", "4工作时"),
            _c("严重精神障碍患者病情不稳、有肇事肇祸倾向的", "落实监护、送医或应急处置", "A", "WJW", "2紧急工作时"),
        )),
        MinorSpec("流浪乞讨", (
            _c("道路、广场、地下通道等公共场所有流浪乞讨人员的", "救助站接回或劝离，现场无流浪乞讨人员",
               "C", "MZJ", "1工作日"),
        )),
    )),
    MajorSpec("公共安全", (
        MinorSpec("消防安全", (
            _c("楼道、消防通道堆放杂物或停放车辆，堵塞消防通道的", "杂物清理、车辆挪离，消防通道畅通",
               "B", "XF", "4工作时"),
            _c("电动自行车在楼道内停放、充电或私拉电线充电的", "车辆移出楼道，私拉电线拆除", "B", "JD", "1工作日"),
            _c("消火栓、灭火器等消防设施缺失、损坏的", "设施补齐或修复，功能完好", "C", "XF", "5个工作日"),
        )),
        MinorSpec("燃气安全", (
            _c("闻到燃气异味或发现燃气管道、设施泄漏的", "漏点封堵，检测无泄漏", "A", "RQJT", "即时"),
            _c("餐饮场所使用不合格燃气灶具或软管超期使用的", "更换合格灶具、软管，加装报警装置", "B", "RQJT",
               "3个工作日"),
        )),
        MinorSpec("安全生产", (
            _c("生产经营单位违规动火、违规存放危险化学品等存在明显安全隐患的", "隐患整改完毕或责令停产整顿",
               "A", "YJJ", "4工作时"),
            _c("有限空间、高处作业未落实防护措施的", "落实防护措施，作业规范", "B", "YJJ", "1工作日"),
        )),
        MinorSpec("房屋安全", (
            _c("房屋出现墙体开裂、倾斜、构件脱落等危险迹象的", "设置警示隔离，完成鉴定，落实加固或撤离",
               "A", "ZJW", "4工作时"),
        )),
        MinorSpec("道路交通安全", (
            _c("交通标志、护栏等交通设施损坏、缺失，影响通行安全的", "设施修复或补齐", "B", "JTJ", "1工作日"),
            _c("道路发生交通事故或交通拥堵需疏导的", "民警到场处置，交通恢复正常", "A", "GA", "即时"),
        )),
        MinorSpec("食品药品安全", (
            _c("发现无证经营或销售过期、变质食品药品的", "依法查处，问题产品下架销毁", "B", "SCJG", "3个工作日"),
        )),
    )),
    MajorSpec("城市管理", (
        MinorSpec("市容环境", (
            _c("道路、广场等公共区域有成堆、成片暴露垃圾，面积1平方米以上的", "垃圾清理干净，无残留",
               "C", "CGW", "4工作时"),
            _c("垃圾桶满溢、破损或生活垃圾清运不及时的", "垃圾清运完毕，破损垃圾桶更换", "C", "CGW", "4工作时"),
        )),
        MinorSpec("街面秩序", (
            _c("店外经营、占道经营或流动摊贩影响通行的", "占道物品清除，经营者离开", "C", "CGZF", "2工作时"),
            _c("违规设置户外广告、牌匾标识或张贴、涂写小广告的", "违规设施拆除，小广告清除", "C", "CGZF",
               "3个工作日"),
        )),
        MinorSpec("违法建设", (
            _c("发现正在施工的违法建设的", "责令停工，依法立案查处", "A", "CGZF", "4工作时"),
            _c("已建成的违法建设（含逾期未拆除的临时建设）的", "依法拆除或作出处理决定", "B", "CGZF", "15天"),
        )),
        MinorSpec("道路设施", (
            _c("道路路面坑洼、破损，面积超过1平方米或深度超过5厘米的", "路面修复平整", "B", "JTJ", "3个工作日"),
            _c("井盖丢失、破损、移位或道路塌陷的", "设置警示，补装井盖或修复塌陷", "A", "SWJ", "2紧急工作时"),
        )),
        MinorSpec("园林绿化", (
            _c("树木倒伏、断枝悬挂，危及行人车辆安全的", "倒伏树木、断枝清除，现场安全", "A", "YLLH",
               "2紧急工作时"),
            _c("绿地黄土裸露、绿篱缺株或植株死亡的", "完成补植或覆盖", "C", "YLLH", "5个工作日"),
        )),
        MinorSpec("市政公用设施", (
            _c("路灯不亮、灯杆倾斜或线路外露的", "路灯亮灯，设施修复", "C", "CGW", "3个工作日"),
            _c("供水管线破裂跑水的", "关阀止水，管线修复，恢复供水", "A", "ZLS", "2紧急工作时"),
            _c("电力线路断落、配电设施损坏的", "断电隔离，线路、设施修复", "A", "GDGS", "2紧急工作时"),
        )),
    )),
    MajorSpec("环境保护", (
        MinorSpec("大气污染", (
            _c("露天焚烧垃圾、秸秆、树叶的", "明火熄灭，焚烧物清除", "B", "STHJ", "2工作时"),
            _c("施工工地裸土未苫盖、未洒水降尘等扬尘污染的", "落实苫盖、洒水等防尘措施", "B", "ZJW", "4工作时"),
        )),
        MinorSpec("水污染", (
            _c("河道、沟渠有漂浮垃圾或水体发黑发臭的", "水面清理干净，查明污染来源", "C", "SWJ", "1工作日"),
            _c("向河道、雨水管网偷排污水的", "排污行为制止，依法查处", "A", "STHJ", "4工作时"),
        )),
        MinorSpec("噪声污染", (
            _c("夜间（22时至次日6时）施工噪声扰民的", "停止夜间施工或出具夜间施工许可", "B", "CGZF",
               "2紧急工作时"),
            _c("商铺喇叭、广场舞等社会生活噪声扰民的", "噪声源关停或音量降至标准以内", "C", "JD", "1工作日"),
        )),
        MinorSpec("餐饮油烟", (
            _c("餐饮单位未安装油烟净化设施或油烟直排的", "安装净化设施并正常使用，或依法查处", "C", "CGZF",
               "5个工作日"),
        )),
        MinorSpec("固体废物", (
            _c("违规倾倒建筑垃圾、渣土的", "倾倒行为制止，渣土清运，依法查处", "B", "CGZF", "4工作时"),
            _c("生活垃圾未分类投放或混装混运的", "分类投放、运输规范", "C", "CGW", "1工作日"),
        )),
    )),
    MajorSpec("民生服务", (
        MinorSpec("社会救助", (
            _c("困难群众生活无着，需临时救助的", "受理救助申请，落实临时救助", "B", "MZJ", "3个工作日"),
        )),
        MinorSpec("养老服务", (
            _c("独居、空巢老人多日未出门或联系不上的", "上门核实情况，落实救助或照护", "A", "JD", "即时"),
            _c("老年人申请居家养老、助餐等服务的", "完成评估，落实服务", "C", "MZJ", "5个工作日"),
        )),
        MinorSpec("医疗卫生", (
            _c("发现传染病疑似病例或聚集性发热等公共卫生线索的", "完成流调与处置，报告结果", "A", "WJW",
               "2紧急工作时"),
            _c("发现无证行医或非法诊所的", "依法查处，取缔非法执业", "B", "WJW", "5个工作日"),
        )),
        MinorSpec("就业社保", (
            _c("拖欠农民工工资的", "工资支付到位或依法立案查处", "A", "RSJ", "3个工作日"),
            _c("群众办理就业登记、社保业务遇到困难的", "业务办结或答复到位", "C", "RSJ", "5个工作日"),
        )),
        MinorSpec("物业服务", (
            _c("电梯故障困人的", "被困人员救出，电梯停用检修", "A", "SCJG", "即时"),
            _c("小区公共设施失修、保洁不到位等物业服务问题的", "物业整改到位，居民认可", "C", "ZJW", "5个工作日"),
        )),
        MinorSpec("供暖供水供电", (
            _c("供暖期室温不达标或非计划停暖的", "恢复供暖，室温达标", "B", "CGW", "1工作日"),
            _c("非计划停水、停电影响居民生活的", "恢复供水、供电", "A", "GDGS", "4工作时"),
        )),
    )),
    MajorSpec("综合执法", (
        MinorSpec("无照经营", (
            _c("无营业执照从事经营活动的", "办理执照或停止经营，依法查处", "C", "SCJG", "5个工作日"),
        )),
        MinorSpec("非法营运", (
            _c("黑车揽客、非法营运的", "依法查处，车辆暂扣", "B", "JTJ", "3个工作日"),
        )),
        MinorSpec("违规停车", (
            _c("机动车违停占用人行道、盲道或消防通道的", "车辆挪离或依法处罚", "C", "GA", "2工作时"),
            _c("共享单车乱停乱放、堆积影响通行的", "车辆清理归位", "C", "JTJ", "4工作时"),
        )),
        MinorSpec("违法排污", (
            _c("企业超标排放废气、废水的", "停止超标排放，依法查处", "A", "STHJ", "1工作日"),
        )),
        MinorSpec("文化市场", (
            _c("无证经营网吧、娱乐场所或接纳未成年人的", "依法查处，停止违规经营", "B", "WHLY", "3个工作日"),
        )),
        MinorSpec("动物管理", (
            _c("违规饲养烈性犬、大型犬或犬只伤人的", "犬只收容或登记，依法处理", "B", "GA", "4工作时"),
        )),
    )),
    MajorSpec("政策咨询", (
        MinorSpec("社会保障政策", (
            _c("群众咨询养老、医疗、失业等社会保险政策，需部门答复的", "答复到位，群众无异议", "C", "RSJ",
               "5个工作日"),
        )),
        MinorSpec("住房政策", (
            _c("群众咨询保障房、租房补贴、房屋征收等住房政策的", "答复到位，群众无异议", "C", "ZJW", "5个工作日"),
        )),
        MinorSpec("户籍证照", (
            _c("群众咨询户口迁移、居住证、身份证办理的", "答复到位，群众无异议", "C", "GA", "3个工作日"),
        )),
        MinorSpec("教育入学", (
            _c("群众咨询入学、转学、招生政策的", "答复到位，群众无异议", "C", "JYW", "5个工作日"),
        )),
    )),
    MajorSpec("综合管理", (
        MinorSpec("基础信息", (
            _c("网格内人、地、事、物、组织等基础信息发生变化需核实的", "信息核实并更新入库", "C", "JD", "5个工作日"),
        )),
        MinorSpec("信访诉求", (
            _c("群众来信来访反映诉求，需协调办理的", "出具受理告知或办理意见", "C", "XFB", "15天"),
            _c("发现群体性上访或聚集苗头的", "现场劝导稳控，诉求登记转办", "A", "XFB", "2紧急工作时"),
        )),
        MinorSpec("突发事件", (
            _c("发生自然灾害、事故灾难等突发事件需先期处置的", "先期处置完毕，移交专业队伍", "A", "YJJ", "即时"),
        )),
        MinorSpec("其他事项", (
            _c("不属于以上分类、需协调处理的事项", "协调处理完毕，反馈上报人", "C", "JD", "5个工作日"),
        )),
    )),
)
# fmt: on


def catalog_entries(catalog: tuple[MajorSpec, ...] = DEFAULT_CATALOG) -> list[CatalogEntry]:
    """The catalog as rows, coded by position: major 01…, minor major+01…, condition minor+01…."""
    entries = []
    for mi, major in enumerate(catalog, start=1):
        major_code = f"{mi:02d}"
        for ni, minor in enumerate(major.minors, start=1):
            minor_code = f"{major_code}{ni:02d}"
            for ci, cond in enumerate(minor.conditions, start=1):
                limit = parse_time_limit(cond.time_limit)
                entries.append(
                    CatalogEntry(
                        code=f"{minor_code}{ci:02d}",
                        major_code=major_code,
                        major_name=major.name,
                        minor_code=minor_code,
                        minor_name=minor.name,
                        condition=cond.condition,
                        closing_standard=cond.closing,
                        level=cond.level,
                        department_code=cond.department,
                        time_limit=cond.time_limit,
                        limit_kind=limit.kind.value,
                        limit_amount=limit.amount,
                    )
                )
    return entries
