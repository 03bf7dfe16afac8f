"""Short Chinese texts: work summaries for submissions and comments for reviews (GBK-safe)."""

from __future__ import annotations

import numpy as np

SUMMARY_OPENINGS: tuple[str, ...] = (
    "全年围绕产业工人队伍建设改革，",
    "本年度深入推进产改试点工作，",
    "坚持党建带工建，",
    "聚焦职工技能提升，",
    "以劳模精神、工匠精神为引领，",
    "对照试点任务清单，",
    "结合企业生产经营实际，",
    "在上级工会指导下，",
    "围绕建设知识型、技能型、创新型产业工人队伍，",
    "按照市总工会部署，",
)
SUMMARY_ACTIONS: tuple[str, ...] = (
    "组织开展岗位练兵和技能竞赛，",
    "建立健全职工技能培训体系，",
    "推动创新工作室联盟建设，",
    "深化合理化建议和“五小”创新活动，",
    "完善技术工人职业发展通道，",
    "开展送技术、送培训进班组活动，",
    "落实技能人才薪酬激励政策，",
    "搭建导师带徒和技术交流平台，",
    "推进职工书屋和职工之家建设，",
    "做好困难职工帮扶和普惠服务，",
    "开展劳模工匠进企业宣讲，",
    "健全厂务公开和职代会制度，",
)
SUMMARY_RESULTS: tuple[str, ...] = (
    "职工技能水平明显提升。",
    "一批创新成果转化应用。",
    "职工队伍稳定性进一步增强。",
    "技术工人待遇稳步提高。",
    "涌现出一批技术能手和工匠人才。",
    "职工获得感和幸福感持续提升。",
    "试点经验在行业内推广。",
    "形成了可复制的工作机制。",
)

COMMENTS: tuple[str, ...] = (
    "工作扎实，亮点突出。",
    "培训体系完善，成效明显。",
    "创新工作室作用发挥较好。",
    "建议进一步加强制度建设。",
    "服务职工举措务实。",
    "技能竞赛组织有力。",
    "材料完整，数据翔实。",
    "建议加大创新成果转化力度。",
    "产改任务推进有序。",
    "特色不够鲜明，仍需加强。",
    "职工参与度高。",
    "台账规范，佐证充分。",
)

LONG_FILLER = "全年持续深化产业工人队伍建设改革，扎实推进各项试点任务落地见效。"


def summaries(gen: np.random.Generator, size: int) -> np.ndarray:
    """`size` work-summary sentences (object array; combinations of three clauses)."""
    combos = np.asarray(
        [o + a + r for o in SUMMARY_OPENINGS for a in SUMMARY_ACTIONS for r in SUMMARY_RESULTS],
        dtype=object,
    )
    return combos[gen.integers(0, len(combos), size)]


COMMENT_CHOICES: tuple[str, ...] = ("", *COMMENTS)  # code 0 = no comment


def comment_codes(gen: np.random.Generator, size: int, empty_share: float = 0.3) -> np.ndarray:
    """`size` indices into COMMENT_CHOICES; about `empty_share` are 0 (the field is optional).

    Codes rather than strings keep millions of reviews cheap in memory.
    """
    codes = gen.integers(1, len(COMMENT_CHOICES), size)
    codes[gen.random(size) < empty_share] = 0
    return codes


def long_summary(min_chars: int) -> str:
    """A plausible summary longer than `min_chars` characters (for the `too_long` defect)."""
    repeats = min_chars // len(LONG_FILLER) + 2
    return LONG_FILLER * repeats


def all_texts() -> list[str]:
    """Every text fragment this module can emit (tests check it is GBK-encodable)."""
    return [
        *SUMMARY_OPENINGS,
        *SUMMARY_ACTIONS,
        *SUMMARY_RESULTS,
        *COMMENTS,
        LONG_FILLER,
    ]
