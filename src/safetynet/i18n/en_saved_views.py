"""English for saved views: own views, views shared within a scope, saving and deleting them."""

EN = {
    "{name}（我共享的）": "{name} (shared by me)",
    "{name}（{owner}共享）": "{name} (shared by {owner})",
    "{name}（共享）": "{name} (shared)",
    "删除视图": "Delete view",
    "无法删除视图：{reason}": "Cannot delete the view: {reason}",
    "已删除：{name}": "Deleted: {name}",
    "共享给管辖范围内的同事": "Share with colleagues in my area",
    "管辖范围在{region}以内的同事能看到并打开这个视图；只有您能修改或删除它。":
        "Colleagues whose area lies within {region} can see and open this view; only you can change or delete it.",
    "视图名称须为1–{n}个字符，不能含换行或控制字符":
        "A view name must be 1–{n} characters, without line breaks or control characters",
    "没有这个视图，或它不属于您": "There is no such view, or it is not yours",
}
