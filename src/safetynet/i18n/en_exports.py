"""English for exports: the header line naming the filters an export was made under, and its audit row."""

EN = {
    "筛选条件：{filters}": "Filters: {filters}",
    "{month}以来": "since {month}",
    "链接参数": "Link parameters",
}
