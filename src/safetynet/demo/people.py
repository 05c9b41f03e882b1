"""Plausible Chinese names, clearly synthetic ID numbers and phones.

Demo ID numbers use real county codes and birth dates so they pass every
validation rule, but their sequence codes are all 900–999 and the demo marks
every row with its demo batch; phones use the 170 virtual-operator range with
a 0000 block that is not assigned to subscribers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from safetynet.domain import idcard

# The most common surnames with rough frequencies (per cent of the population).
SURNAMES = (
    ("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 4.6), ("杨", 3.1), ("黄", 2.3),
    ("赵", 2.2), ("吴", 2.0), ("周", 1.9), ("徐", 1.5), ("孙", 1.5), ("马", 1.4), ("朱", 1.3),
    ("胡", 1.3), ("郭", 1.2), ("何", 1.2), ("高", 1.1), ("林", 1.1), ("罗", 1.1), ("郑", 1.0),
    ("梁", 1.0), ("谢", 0.8), ("宋", 0.8), ("唐", 0.8), ("许", 0.7), ("韩", 0.7), ("冯", 0.7),
    ("邓", 0.7), ("曹", 0.7), ("彭", 0.6), ("曾", 0.6), ("肖", 0.6), ("田", 0.6), ("董", 0.5),
    ("袁", 0.5), ("潘", 0.5), ("于", 0.5), ("蒋", 0.5), ("蔡", 0.5), ("余", 0.5), ("杜", 0.5),
    ("叶", 0.5), ("程", 0.4), ("苏", 0.4), ("魏", 0.4), ("吕", 0.4), ("丁", 0.4), ("任", 0.4),
    ("沈", 0.4), ("姚", 0.4), ("卢", 0.4), ("姜", 0.3), ("崔", 0.3), ("钟", 0.3), ("谭", 0.3),
    ("陆", 0.3), ("汪", 0.3), ("范", 0.3), ("金", 0.3), ("石", 0.3), ("廖", 0.3), ("贾", 0.3),
    ("夏", 0.3), ("韦", 0.3), ("付", 0.3), ("方", 0.2), ("白", 0.2), ("邹", 0.2), ("孟", 0.2),
    ("熊", 0.2), ("秦", 0.2), ("邱", 0.2), ("江", 0.2), ("尹", 0.2), ("薛", 0.2), ("闫", 0.2),
    ("段", 0.2), ("雷", 0.2), ("侯", 0.2), ("龙", 0.2), ("史", 0.2), ("陶", 0.2), ("黎", 0.2),
    ("贺", 0.2), ("顾", 0.2), ("毛", 0.2), ("郝", 0.2), ("龚", 0.2), ("邵", 0.2), ("万", 0.2),
    ("欧阳", 0.05), ("司马", 0.02),
)
MALE_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆东林建国志文斌海峰亮成龙云"
FEMALE_CHARS = "芳娜敏静丽艳娟霞燕玲桂英秀兰琴红梅莉婷雪慧倩颖洁琳萍玉凤佳欣怡雯晶月"
NEUTRAL_CHARS = "子一春晓思雨家安永福金新德荣承天宏晨嘉振思"

_SURNAME_CHARS = np.array([s for s, _ in SURNAMES], dtype=object)
_SURNAME_P = np.array([w for _, w in SURNAMES]) / sum(w for _, w in SURNAMES)


def surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(_SURNAME_CHARS, size=n, p=_SURNAME_P)


def given_names(rng: np.random.Generator, is_male: np.ndarray) -> np.ndarray:
    n = len(is_male)
    male = np.array(list(MALE_CHARS), dtype=object)
    female = np.array(list(FEMALE_CHARS), dtype=object)
    neutral = np.array(list(NEUTRAL_CHARS), dtype=object)
    first = np.where(is_male, rng.choice(male, n), rng.choice(female, n))
    second_pool = np.where(rng.random(n) < 0.5, np.where(is_male, rng.choice(male, n), rng.choice(female, n)),
                           rng.choice(neutral, n))
    two_chars = rng.random(n) < 0.72
    return np.where(two_chars, second_pool + first, first)


def _check_chars(first17: np.ndarray) -> np.ndarray:
    """ISO 7064 MOD 11-2 check characters for an array of 17-digit strings."""
    digits = np.frombuffer("".join(first17).encode("ascii"), dtype=np.uint8).reshape(-1, 17) - ord("0")
    weights = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
    return np.array(list("10X98765432"), dtype=object)[(digits * weights).sum(axis=1) % 11]


def id_numbers(rng: np.random.Generator, regions: np.ndarray, births: np.ndarray, is_male: np.ndarray) -> np.ndarray:
    """Valid-by-checksum numbers with sequence codes 900–999 (parity gives sex), unique.

    `births` are YYYYMMDD strings. Duplicates are redrawn until none remain.
    """
    n = len(regions)
    stem = np.char.add(np.asarray(regions, dtype=str), np.asarray(births, dtype=str))
    seq = rng.integers(450, 500, size=n) * 2 + np.asarray(is_male, dtype=int)
    for _ in range(100):
        first17 = np.char.add(stem, np.char.zfill(seq.astype(str), 3))
        dup = pd.Series(first17).duplicated().to_numpy()
        if not dup.any():
            break
        seq[dup] = rng.integers(450, 500, size=int(dup.sum())) * 2 + np.asarray(is_male, dtype=int)[dup]
    else:
        raise RuntimeError("ran out of synthetic ID sequence numbers")
    out = np.char.add(first17, _check_chars(first17).astype(str)).astype(object)
    assert idcard.validate(out[0]).ok if n else True
    return out


def phones(rng: np.random.Generator, n: int) -> np.ndarray:
    tails = rng.integers(0, 10_000, size=n)
    return np.array([f"1700000{t:04d}" for t in tails], dtype=object)
