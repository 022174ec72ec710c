"""Small hand-written Chinese documents with two obvious themes, pre-segmented.

Ten short reports on flood control (防汛) and ten on training Party members
(党员培训), written for these tests. Tokens are separated by spaces so that the
expected topics can be checked by eye without depending on a segmenter.
"""

FLOOD = [
    "入汛 以来 暴雨 不断 ， 县 防汛 指挥部 组织 干部 巡查 堤坝 ， 密切 监测 水位 。",
    "河道 水位 超过 警戒线 ， 抢险 队伍 连夜 加固 堤坝 ， 转移 低洼 地带 群众 。",
    "防汛 物资 提前 储备 ， 沙袋 、 冲锋舟 和 救生衣 运 到 险段 ， 抢险 人员 二十四 小时 值守 。",
    "暴雨 导致 山洪 ， 村里 组织 群众 转移 到 安置点 ， 防汛 值班 人员 巡查 水库 。",
    "水库 水位 持续 上涨 ， 防汛 指挥部 启动 应急 响应 ， 抢险 队员 封堵 管涌 。",
    "汛期 来临 前 ， 乡镇 排查 堤坝 隐患 ， 清理 河道 ， 储备 沙袋 等 防汛 物资 。",
    "连续 暴雨 后 ， 抢险 队伍 在 堤坝 上 巡查 ， 发现 险情 及时 处置 ， 水位 开始 回落 。",
    "气象 部门 发布 暴雨 预警 ， 防汛 部门 提前 转移 群众 ， 加强 水库 和 河道 巡查 。",
    "防汛 演练 中 ， 抢险 人员 练习 装填 沙袋 、 加固 堤坝 和 转移 被困 群众 。",
    "洪水 过境 后 ， 干部 群众 清理 淤泥 ， 修复 冲毁 的 堤坝 ， 继续 监测 水位 。",
]

TRAINING = [
    "县委 党校 举办 党员 培训班 ， 组织 新 党员 学习 党章 ， 重温 入党 誓词 。",
    "支部 书记 为 党员 讲授 党课 ， 围绕 理论 学习 开展 研讨 ， 党员 交流 学习 体会 。",
    "入党 积极分子 参加 集中 培训 ， 学习 党史 和 党章 ， 培训 结束 后 进行 考试 。",
    "机关 支部 开展 党员 教育 培训 ， 邀请 专家 讲授 理论 课程 ， 组织 党员 讨论 。",
    "社区 党委 举办 党员 培训 讲座 ， 党员 学习 党的 理论 ， 撰写 心得 体会 。",
    "党校 培训 课程 包括 党史 、 党章 和 理论 学习 ， 学员 培训 期间 分组 研讨 。",
    "支部 组织 党员 观看 教育 专题片 ， 开展 党课 学习 ， 新 党员 谈 入党 体会 。",
    "发展 对象 参加 党校 培训 ， 学习 党章 党规 ， 考试 合格 后 方可 入党 。",
    "党员 教育 培训 采用 线上 线下 结合 ， 党员 通过 学习 平台 学习 理论 课程 。",
    "年轻 党员 培训班 开班 ， 学员 学习 党史 ， 聆听 党课 ， 重温 入党 誓词 。",
]


def token_lists():
    """The 20 documents as token lists (flood first, then training)."""
    return [d.split() for d in FLOOD + TRAINING]


def texts():
    """The 20 documents as plain text (spaces removed)."""
    return [d.replace(" ", "") for d in FLOOD + TRAINING]
