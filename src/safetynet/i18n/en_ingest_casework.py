"""English for the casework import kinds (department leads, holiday calendar, deadline rules)."""

EN: dict[str, str] = {
    # kind descriptions (safetynet.ingest.kinds), shown with the templates on the 数据管理 screen
    "每条部门推送的预警线索一行（民政、医保、人社、残联、教育、住建、应急）。已建档的按档案编号或成员身份证号归户，"
    "该户已有未办结线索的并入该线索；尚未建档的人员按姓名、身份证号和区县代码登记为新线索。":
        "One row per lead pushed by a department (civil affairs, medical insurance, human resources, disabled "
        "persons' federation, education, housing, emergency management). A lead for a file is matched on its file "
        "number or a member's ID number and joins the household's open lead if it has one; a person without a file "
        "is registered as a new lead by name, ID number and county.",
    "每天一行：法定节假日放假（休息日）和调休上班日，用于按工作日计算核实、认定等期限。同一日期再次导入时更新原记录。"
    "全国统一，只有全国范围的管理员可以导入。":
        "One row per day: statutory days off and make-up working days, used to count the deadlines of home checks "
        "and decisions in working days. The same date again updates the record. Nationwide data: only a "
        "nationwide administrator may import it.",
    "每个地区每个环节一行：入户核实、认定决定、公示、首次帮扶、回访间隔、消除后跟踪的期限。"
    "同一地区同一环节再次导入时更新原规则；只能设置您管辖范围内的地区。":
        "One row per region and step: the deadlines of the home check, the decision, the public notice, the first "
        "measure, the follow-up interval and the aftercare period. The same region and step again updates the "
        "rule; only regions inside your scope may be set.",
    "部门推送线索": "Department leads",
    "节假日安排": "Holiday calendar",
    "期限规则": "Deadline rules",
}
