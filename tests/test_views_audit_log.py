"""The audit log's object column in words (views/audit_log.target_label): no stored code reaches the screen."""

from __future__ import annotations

import pandas as pd
import pytest

from safetynet import i18n
from safetynet.views import audit_log


@pytest.mark.parametrize(("stored", "zh", "en"), [
    ("watchlist", "风险名单", "Watchlist"),
    ("rejects", "导入错误行", "Rejected import rows"),
    ("public_notice", "公示名单", "Public notice"),
    ("hh:42", "档案（内部编号42）", "Household file (internal no. 42)"),
    ("household-42", "档案（内部编号42）", "Household file (internal no. 42)"),
    ("lead:7", "线索第7号", "Lead no. 7"),
    ("attachment:3", "附件第3号", "Attachment no. 3"),
])
def test_stored_objects_read_as_words(stored, zh, en):
    try:
        i18n.set_lang("zh")
        assert audit_log.target_label(stored) == zh
        i18n.set_lang("en")
        assert audit_log.target_label(stored) == en
    finally:
        i18n.set_lang("zh")


def test_names_stay_as_they_are_and_the_frame_uses_the_labels():
    assert audit_log.target_label("张三的视图") == "张三的视图"  # a saved view's name, an account, a file name
    assert audit_log.target_label("lead:x") == "lead:x"  # not one of ours: shown as stored, never hidden
    rows = pd.DataFrame({"at": ["2026-12-01 10:00"], "user_name": ["demo"], "action": ["export"],
                         "target": ["watchlist"], "region_adcode": [None], "detail": ['{"rows": 3}']})
    assert audit_log.audit_frame(rows)["target"].tolist() == ["风险名单"]
