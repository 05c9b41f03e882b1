"""English for the refusals of malformed link parameters (safetynet.urlparams)."""

EN: dict[str, str] = {
    "链接中的编号无效，已改用默认值。": "The number in the link is not valid; the default is shown.",
    "链接中的档案编号无效。": "The household number in the link is not valid.",
    "链接中的线索编号无效。": "The lead number in the link is not valid.",
    "链接中的数值无效，已改用默认值。": "A number in the link is not valid; the default is used.",
    "链接中的地区代码无效，已改用默认地区。": "The region code in the link is not valid; the default region is shown.",
    "链接中的月份无效，已改用默认月份。": "The month in the link is not valid; the default month is shown.",
    "链接中的选项无效，已改用默认值。": "A choice in the link is not valid; the default is used.",
    "链接中的开关设置无效，已改用默认值。": "An on/off setting in the link is not valid; the default is used.",
}
