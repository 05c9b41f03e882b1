"""English for the phone and laptop layouts (issue 12 §2)."""

EN: dict[str, str] = {
    "筛选条件": "Filters",
    # 打开一户一档 (the card's button) is in en_casework.py
    "点一户的“打开一户一档”查看详情。": "Tap a household's “Open the household file” to see it.",
}
