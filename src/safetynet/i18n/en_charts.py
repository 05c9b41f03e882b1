"""English for the chart-hygiene work (issue 12 §5): Top-N industries, flows between provinces."""

EN: dict[str, str] = {
    # industries trend: the largest industries and the rest folded
    "其他": "Other",
    "图中为户数最多的{n}个行业，其余行业（含“其他行业”）合并为“其他”（灰色虚线）。":
        "The chart shows the {n} industries with the most households; the rest (including \u201cOther\u201d) "
        "are summed as \u201cOther\u201d (grey dotted line). ",
    # migrant flows
    "农民工跨省流向：从来源省到务工省": "Migrant flows between provinces: home province → work province",
    "农民工流向：省内按地市，省外按省": "Migrant flows: prefectures within the province, provinces outside it",
    "共{total}名农民工有来源地和务工地记录，其中跨省务工{cross}人（{share}）。":
        "{total} migrant workers have a recorded home and work place; {cross} work in another province ({share}). ",
    "图中画出人数最多的{arcs}条跨省流向，共{drawn}人；省内流动{local}人不画线。":
        "The map draws the {arcs} largest flows between provinces ({drawn} workers); the {local} who work in "
        "their own province are not drawn.",
    "图中画出人数最多的{arcs}条跨地市流向，共{drawn}人；在同一地市（或同一外省）内流动的{local}人不画线。":
        "The map draws the {arcs} largest flows between areas ({drawn} workers); the {local} who stay within "
        "one prefecture (or one other province) are not drawn as lines.",
}
