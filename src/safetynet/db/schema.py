"""The shared database schema (SQLAlchemy Core).

This is a public interface: other union systems read and write these tables in
a shared-database deployment, so every change goes through an Alembic
migration and `docs/schema.md`. Conventions:

* months are integers YYYYMM (portable, indexable, no time-zone questions);
* region codes are 6-digit GB/T 2260 adcodes as text; "000000" is the nation;
* code lists hold the Chinese labels users see (see `safetynet.domain.codes`);
* money is yuan as double precision; round when showing, never in storage.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# Stable constraint names so Alembic can alter them on every backend.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ADCODE = String(6)
# Large fact tables are clustered on their primary key in SQLite, which keeps a
# household's months together on disk and halves the file size.
CLUSTERED: dict[str, Any] = {"sqlite_with_rowid": False}  # Any: spread into Table's keyword arguments

# ---------------------------------------------------------------- reference
region = Table(
    "region",
    metadata,
    Column("adcode", ADCODE, primary_key=True),
    Column("name", String(64), nullable=False),
    Column("short_name", String(32)),
    Column("level", SmallInteger, nullable=False),  # 0 nation, 1 province, 2 prefecture, 3 county
    Column("parent_adcode", ADCODE),
    Column("prov_adcode", ADCODE),
    Column("pref_adcode", ADCODE),
    Column("macro_region", String(8)),  # 东部 / 中部 / 西部 / 东北
    Column("lon", Float),
    Column("lat", Float),
    Index(None, "parent_adcode"),
    Index(None, "level", "prov_adcode"),
)

region_line = Table(
    "region_line",
    metadata,
    Column("adcode", ADCODE, ForeignKey("region.adcode"), primary_key=True),
    Column("year", SmallInteger, primary_key=True),
    Column("urban_dibao_month", Float),  # 城市低保, yuan per person per month
    Column("rural_dibao_year", Float),  # 农村低保, yuan per person per year
    Column("monitor_line_year", Float),  # 防返贫监测线, yuan per person per year
)

industry = Table(
    "industry",
    metadata,
    Column("code", String(4), primary_key=True),
    Column("gb_section", String(1), nullable=False),  # GB/T 4754 门类
    Column("name_zh", String(32), nullable=False),
    Column("name_en", String(48), nullable=False),
    Column("mean_wage", Float),  # yuan per month, for context
    Column("line_multiplier", Float, nullable=False, server_default="1.0"),  # 行业困难职工帮扶标准
)

union_org = Table(
    "union_org",
    metadata,
    Column("org_id", Integer, primary_key=True),
    Column("name", String(128), nullable=False),
    Column("level", String(8), nullable=False),  # 全总 / 省 / 市 / 县 / 基层
    Column("parent_id", Integer, ForeignKey("union_org.org_id")),
    Column("adcode", ADCODE, ForeignKey("region.adcode")),
    Column("industry_code", String(4), ForeignKey("industry.code")),
    Index(None, "parent_id"),
    Index(None, "adcode"),
)

employer = Table(
    "employer",
    metadata,
    Column("employer_id", Integer, primary_key=True),
    Column("name", String(128), nullable=False),
    Column("industry_code", String(4), ForeignKey("industry.code"), nullable=False),
    Column("adcode", ADCODE, ForeignKey("region.adcode"), nullable=False),
    Column("headcount", Integer),
    Index(None, "industry_code"),
    Index(None, "adcode"),
)

relocation_site = Table(
    "relocation_site",
    metadata,
    Column("site_id", Integer, primary_key=True),
    Column("name", String(128), nullable=False),
    Column("adcode", ADCODE, ForeignKey("region.adcode"), nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("site_type", String(8), nullable=False),  # 城镇 / 集镇 / 中心村
    Column("households_relocated", Integer, nullable=False),
    Column("people_relocated", Integer, nullable=False),
    Column("workshop_jobs", Integer, nullable=False, server_default="0"),  # 帮扶车间岗位
    Column("has_service_station", Boolean, nullable=False, server_default="0"),  # 工会服务站
    Column("opened_year", SmallInteger),
    Index(None, "adcode"),
)

helper = Table(
    "helper",
    metadata,
    Column("helper_id", Integer, primary_key=True),
    Column("name", String(64), nullable=False),
    Column("helper_kind", String(4), nullable=False),  # 个人 / 单位
    Column("unit", String(128)),
    Column("phone", String(20)),
    Column("adcode", ADCODE, ForeignKey("region.adcode")),
)

# ---------------------------------------------------------------- operations
import_batch = Table(
    "import_batch",
    metadata,
    Column("batch_id", Integer, primary_key=True),
    Column("kind", String(24), nullable=False),  # demo / households / persons / observations / ...
    Column("file_name", String(255)),
    Column("file_hash", String(64)),
    Column("user_name", String(64)),
    Column("mode", String(8)),  # strict / partial
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("rows_read", Integer, nullable=False, server_default="0"),
    Column("rows_accepted", Integer, nullable=False, server_default="0"),
    Column("rows_updated", Integer, nullable=False, server_default="0"),
    Column("rows_rejected", Integer, nullable=False, server_default="0"),
    Column("status", String(16), nullable=False),  # running / done / failed / dry-run
    Column("message", Text),
    # the importing user's scope when it ran: an administrator sees the batches of their own region only
    # (NULL: written before migration 0010 or by another system — nationwide administrators only)
    Column("scope_adcode", ADCODE),
    Index(None, "file_hash"),
)

import_reject = Table(
    "import_reject",
    metadata,
    Column("reject_id", Integer, primary_key=True),
    Column("batch_id", Integer, ForeignKey("import_batch.batch_id", ondelete="CASCADE"), nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("column_name", String(64)),
    Column("value", Text),
    Column("reason", Text, nullable=False),
    Index(None, "batch_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("audit_id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("user_name", String(64)),
    Column("action", String(32), nullable=False),  # sign_in / unmask / export / import / user_change ...
    Column("target", String(128)),
    Column("detail", Text),  # JSON
    # the region the row concerns (a household's county, a user's scope, else the actor's scope): an
    # administrator reads the rows inside their own scope only; NULL = nationwide administrators only
    Column("region_adcode", ADCODE),
    Index(None, "at"),
    Index(None, "action", "at"),
    Index(None, "region_adcode", "at"),
)

data_version = Table(
    "data_version",
    metadata,
    Column("id", SmallInteger, primary_key=True),  # always 1
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("latest_month", Integer),  # newest scored month, for "数据截至"
    Column("note", String(255)),
)

saved_view = Table(
    "saved_view",
    metadata,
    Column("view_id", Integer, primary_key=True),
    Column("name", String(64), nullable=False),
    Column("page", String(32), nullable=False),  # url_path of the screen, e.g. watchlist
    Column("query", Text, nullable=False),  # the view's URL query string (codes only)
    Column("owner", String(64)),  # app_user.username; a view belongs to its owner
    Column("created_at", DateTime, nullable=False),
    # shared by its owner with the users whose scope lies inside scope_adcode (the owner's scope when shared)
    Column("shared", Boolean, nullable=False, server_default="0"),
    Column("scope_adcode", ADCODE),
    UniqueConstraint("owner", "page", "name"),
)

app_user = Table(
    "app_user",
    metadata,
    Column("user_id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(64), nullable=False),
    Column("password_hash", String(255)),  # argon2id; NULL for identity-provider users
    Column("role", String(8), nullable=False),  # leader / staff / admin
    Column("scope_adcode", ADCODE, ForeignKey("region.adcode"), nullable=False),  # 000000 = nationwide
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("failed_attempts", SmallInteger, nullable=False, server_default="0"),
    Column("locked_until", DateTime),
    Column("created_at", DateTime, nullable=False),
    Column("last_login_at", DateTime),
    Column("oidc_subject", String(255), unique=True),  # `sub` or e-mail claim when st.login is used
    # raised when the account is disabled or its password reset: every session signed in before ends
    Column("session_epoch", Integer, nullable=False, server_default="0"),
)

# A signed-in browser (persistent sign-in): the sha256 of the browser's HttpOnly cookie, never the cookie.
# It lives until SAFETYNET_SESSION_MINUTES without use, sign-out, or the account's session_epoch moving on.
app_session = Table(
    "app_session",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("app_user.user_id", ondelete="CASCADE"), nullable=False),
    Column("epoch", Integer, nullable=False),
    Column("signed_in_at", DateTime, nullable=False),
    Column("seen_at", DateTime, nullable=False),
    Index(None, "user_id"),
)

# A meeting-room wall screen's sign-in (大屏令牌, issue 12 §1): an administrator issues it for a region inside their
# own scope; the link /meeting?display=<token> opens only the meeting screen, always masked, without a password and
# without idle expiry, until it expires or is revoked. As with app_session, only the token's SHA-256 is kept.
display_token = Table(
    "display_token",
    metadata,
    Column("token_id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("name", String(64), nullable=False),  # where the screen hangs, e.g. 三楼会议室
    Column("scope_adcode", ADCODE, ForeignKey("region.adcode"), nullable=False),
    Column("issued_by", String(64), nullable=False),  # the administrator's username
    Column("issued_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("last_used_at", DateTime),  # the last screen session started with it (at most hourly while one runs)
    Column("revoked_at", DateTime),
    Column("revoked_by", String(64)),
)

# ---------------------------------------------------------------- household files
household = Table(
    "household",
    metadata,
    Column("hh_id", Integer, primary_key=True),
    Column("file_no", String(32), nullable=False, unique=True),  # 档案编号, the natural key
    Column("population", String(8), nullable=False),  # worker (困难职工) / rural (防返贫监测)
    Column("worker_cat", SmallInteger),  # 1 深度 / 2 相对 / 3 意外致困
    Column("monitor_cat", String(2)),  # 01 脱贫不稳定户 / 02 边缘易致贫户 / 03 突发严重困难户
    Column("adcode", ADCODE, ForeignKey("region.adcode"), nullable=False),  # county of residence
    Column("site_id", Integer, ForeignKey("relocation_site.site_id")),
    Column("org_id", Integer, ForeignKey("union_org.org_id")),
    Column("industry_code", String(4), ForeignKey("industry.code")),  # main earner's industry
    Column("status", String(8), nullable=False),  # 在档 / 帮扶中 / 风险消除 / 已解困 / 已脱困 / 退档 / 注销
    Column("source", String(16), nullable=False),  # discovery channel
    Column("found_on", Date),  # risk first reported
    Column("identified_on", Date, nullable=False),  # file confirmed (认定)
    Column("closed_on", Date),
    Column("close_reason", String(32)),
    Column("eliminated_on", Date),
    Column("elimination_method", String(8)),  # 帮扶消除 / 自然消除
    Column("address", String(255)),
    Column("is_relocated", Boolean, nullable=False, server_default="0"),
    Column("is_exit_poor", Boolean, nullable=False, server_default="0"),  # 脱贫户
    Column("on_dibao", Boolean, nullable=False, server_default="0"),
    Column("on_tekun", Boolean, nullable=False, server_default="0"),  # 特困供养
    Column("housing_unsafe", Boolean, nullable=False, server_default="0"),
    Column("water_unsafe", Boolean, nullable=False, server_default="0"),
    Column("psych_consent", Boolean, nullable=False, server_default="0"),  # consent to record factor H
    Column("batch_id", Integer, ForeignKey("import_batch.batch_id")),
    Column("assignee", String(64)),  # username of the staff member responsible for the file (casework)
    # bumped by every staff action on the file: a save that started from an older version is refused, not
    # merged (two people editing one file never silently overwrite each other)
    Column("row_version", Integer, nullable=False, server_default="1"),
    Index(None, "adcode"),
    Index(None, "site_id"),
    Index(None, "status"),
)

person = Table(
    "person",
    metadata,
    Column("person_id", Integer, primary_key=True),
    Column("hh_id", Integer, ForeignKey("household.hh_id", ondelete="CASCADE"), nullable=False),
    Column("name", String(32), nullable=False),
    Column("id_number", String(18)),
    Column("phone", String(20)),
    Column("relation", String(2), nullable=False),  # 01 户主, 10 配偶, 20 子, 30 女 ...
    Column("sex", String(1), nullable=False),  # 男 / 女
    Column("birth_year", SmallInteger, nullable=False),
    Column("health", String(8), nullable=False),  # 健康 / 长期慢性病 / 患大病 / 残疾
    Column("disability_grade", SmallInteger),  # 1–4; 1–2 severe
    Column("labour_capacity", String(12), nullable=False),
    Column("education", String(8)),
    Column("school_stage", String(8)),  # 学前 / 小学 / 初中 / 高中 / 中职 / 高校 while in school
    Column("is_dropout", Boolean, nullable=False, server_default="0"),  # 义务教育阶段失学辍学
    Column("union_member", Boolean, nullable=False, server_default="0"),
    Column("is_migrant", Boolean, nullable=False, server_default="0"),  # 农民工
    Column("origin_adcode", ADCODE, ForeignKey("region.adcode")),  # home county of a migrant
    Column("employment_form", String(12)),
    Column("contract_months", SmallInteger),  # length of the current contract
    Column("industry_code", String(4), ForeignKey("industry.code")),
    Column("employer_id", Integer, ForeignKey("employer.employer_id")),
    Column("work_adcode", ADCODE, ForeignKey("region.adcode")),
    Column("work_place", String(8)),  # 县内 / 省内县外 / 省外
    Column("med_insured", Boolean, nullable=False, server_default="1"),
    Column("pension_insured", Boolean, nullable=False, server_default="0"),
    Column("unemp_insured", Boolean, nullable=False, server_default="0"),
    Column("injury_insured", Boolean, nullable=False, server_default="0"),
    Column("counselling_referred", Boolean, nullable=False, server_default="0"),  # 心理疏导转介
    Column("isolated", Boolean, nullable=False, server_default="0"),  # 独居/无本地支持
    Index(None, "hh_id"),
    Index(None, "id_number"),
    # the migrant-worker screen reads only migrants and only these columns: a covering index, not the table
    Index("ix_person_migrant", "is_migrant", "hh_id", "origin_adcode", "work_adcode", "work_place",
          "pension_insured", "injury_insured"),
)

household_month = Table(
    "household_month",
    metadata,
    Column("hh_id", Integer, ForeignKey("household.hh_id", ondelete="CASCADE"), primary_key=True),
    Column("month", Integer, primary_key=True),
    # household totals for the month, yuan
    Column("income_wage", Float, nullable=False, server_default="0"),
    Column("income_operating", Float, nullable=False, server_default="0"),
    Column("income_property", Float, nullable=False, server_default="0"),
    Column("income_transfer", Float, nullable=False, server_default="0"),
    Column("spend_medical", Float, nullable=False, server_default="0"),  # out of pocket
    Column("spend_school", Float, nullable=False, server_default="0"),  # non-compulsory schooling
    Column("spend_care", Float, nullable=False, server_default="0"),  # disability / long-term care
    Column("spend_work", Float, nullable=False, server_default="0"),  # necessary costs of working
    Column("members_employed", SmallInteger, nullable=False, server_default="0"),
    Column("months_out_of_work", SmallInteger, nullable=False, server_default="0"),
    Column("wage_arrears", Boolean, nullable=False, server_default="0"),
    Column("returned_after_festival", Boolean),  # null outside the return season or without migrants
    Column("batch_id", Integer, ForeignKey("import_batch.batch_id")),
    Index(None, "month"),
    **CLUSTERED,
)

risk_event = Table(
    "risk_event",
    metadata,
    Column("event_id", Integer, primary_key=True),
    Column("hh_id", Integer, ForeignKey("household.hh_id", ondelete="CASCADE"), nullable=False),
    Column("person_id", Integer, ForeignKey("person.person_id", ondelete="SET NULL")),
    Column("risk_type", String(4), nullable=False),  # 01 因病 ... 0201 洪涝 ... 99 其他
    Column("occurred_on", Date, nullable=False),
    Column("cost", Float, nullable=False, server_default="0"),  # costs and losses, yuan
    Column("source", String(16)),  # discovery channel
    Column("note", String(255)),
    Index(None, "hh_id"),
    Index(None, "occurred_on"),
    Index(None, "person_id"),  # a member's removal sets these NULL: without it, a scan per member
)

assistance = Table(
    "assistance",
    metadata,
    Column("aid_id", Integer, primary_key=True),
    Column("hh_id", Integer, ForeignKey("household.hh_id", ondelete="CASCADE"), nullable=False),
    Column("person_id", Integer, ForeignKey("person.person_id", ondelete="SET NULL")),
    Column("aid_type", String(8), nullable=False),
    Column("amount", Float, nullable=False, server_default="0"),
    Column("delivered_on", Date, nullable=False),
    Column("provider", String(16)),  # 工会 / 民政 / 人社 / 医保 / 企业 / 社会组织
    Column("helper_id", Integer, ForeignKey("helper.helper_id")),
    Index(None, "hh_id", "delivered_on"),
    Index(None, "person_id"),  # as risk_event's
)

pairing = Table(
    "pairing",
    metadata,
    Column("pairing_id", Integer, primary_key=True),
    Column("hh_id", Integer, ForeignKey("household.hh_id", ondelete="CASCADE"), nullable=False),
    Column("helper_id", Integer, ForeignKey("helper.helper_id"), nullable=False),
    Column("start_on", Date, nullable=False),
    Column("end_on", Date),
    Index(None, "hh_id"),
    Index(None, "helper_id"),
)

followup = Table(
    "followup",
    metadata,
    Column("followup_id", Integer, primary_key=True),
    Column("hh_id", Integer, ForeignKey("household.hh_id", ondelete="CASCADE"), nullable=False),
    Column("followed_on", Date, nullable=False),
    Column("method", String(8), nullable=False),  # 电话 / 入户
    Column("finding", String(255)),
    Column("relapse_flag", Boolean, nullable=False, server_default="0"),
    Column("visitor", String(64)),  # who called or visited
    Column("created_by", String(64)),  # the user who recorded it (NULL: imported)
    Index(None, "hh_id"),
)

household_status = Table(
    "household_status",
    metadata,
    Column("change_id", Integer, primary_key=True),
    Column("hh_id", Integer, ForeignKey("household.hh_id", ondelete="CASCADE"), nullable=False),
    Column("changed_on", Date, nullable=False),
    Column("from_status", String(8)),
    Column("to_status", String(8), nullable=False),
    Column("method", String(8)),  # 帮扶消除 / 自然消除 when eliminated
    Column("is_relapse", Boolean, nullable=False, server_default="0"),  # 返贫/返困 re-opening
    Column("note", String(255)),
    Index(None, "hh_id", "changed_on"),
)

# ---------------------------------------------------------------- casework (DOMAIN §8: the loop after a warning)
# Exceptions to Monday–Friday: statutory holidays on weekdays and make-up working days on weekends
# (domain.workdays); deadlines in working days are counted from this table. Editable by import.
work_calendar = Table(
    "work_calendar",
    metadata,
    Column("day", Date, primary_key=True),
    Column("kind", String(8), nullable=False),  # holiday / workday
    Column("name", String(32), nullable=False),  # 春节, 春节调休上班, …
    Column("source", String(32)),  # the notice's year, or 2027 法定（待国务院通知）
)

# Deadline rules per region (a county's row overrides its prefecture's, a prefecture's its province's, and
# 000000 holds the national defaults of DOMAIN §8).
deadline_rule = Table(
    "deadline_rule",
    metadata,
    Column("adcode", ADCODE, ForeignKey("region.adcode"), nullable=False),
    Column("step", String(16), nullable=False),  # home_check / decision / notice / first_aid / followup / aftercare
    Column("amount", SmallInteger, nullable=False),
    Column("unit", String(8), nullable=False),  # working (days) / calendar (days) / months
    PrimaryKeyConstraint("adcode", "step"),
)

# A lead (预警线索): something that may need a visit. A household has at most one open lead: a new one for
# the same household joins it (its reasons are appended).
lead = Table(
    "lead",
    metadata,
    Column("lead_id", Integer, primary_key=True),
    Column("hh_id", Integer, ForeignKey("household.hh_id", ondelete="CASCADE")),  # NULL: an applicant, no file yet
    Column("adcode", ADCODE, ForeignKey("region.adcode"), nullable=False),  # county
    Column("channel", String(16), nullable=False),  # 系统预警 / 部门推送 / 自主申报 / 职工申请 / 基层干部排查 / 工会排查 / 企业报告
    Column("alert", String(16)),  # 系统预警: newly_high / hard_trigger / relapse_warning
    Column("alert_month", Integer),  # 系统预警: the scored month that raised it (or last joined it)
    Column("department", String(8)),  # 部门推送: 民政 / 医保 / 人社 / 残联 / 教育 / 住建 / 应急
    Column("applicant_name", String(32)),  # person data: masked like member names
    Column("applicant_phone", String(20)),
    Column("reason", Text, nullable=False),
    Column("received_on", Date, nullable=False),
    Column("assignee", String(64)),
    Column("status", String(8), nullable=False),  # 待核实 / 待决定 / 已办结
    Column("checked_on", Date),  # home check (入户核实) done
    Column("check_by", String(64)),
    Column("check_finding", Text),
    Column("decision", String(8)),  # 纳入监测 / 不纳入 / 并入已有档案
    Column("decision_reason", String(255)),
    Column("decided_on", Date),
    Column("decided_by", String(64)),
    Column("batch_id", Integer, ForeignKey("import_batch.batch_id")),  # a department batch
    Column("created_by", String(64)),
    Column("created_at", DateTime, nullable=False),
    Column("row_version", Integer, nullable=False, server_default="1"),
    Index(None, "hh_id", "status"),
    Index(None, "adcode", "status"),
    Index(None, "assignee", "status"),
)

# 一户一策: the measures planned for a household, each with who is responsible and by when.
plan_item = Table(
    "plan_item",
    metadata,
    Column("item_id", Integer, primary_key=True),
    Column("hh_id", Integer, ForeignKey("household.hh_id", ondelete="CASCADE"), nullable=False),
    Column("aid_type", String(8), nullable=False),  # the assistance types of DOMAIN §5
    Column("responsible", String(64), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("status", String(8), nullable=False),  # 待落实 / 已落实 / 已取消
    Column("aid_id", Integer, ForeignKey("assistance.aid_id", ondelete="SET NULL")),  # what delivered it
    Column("note", String(255)),
    Column("created_by", String(64)),
    Column("created_at", DateTime, nullable=False),
    Index(None, "hh_id", "status"),
    Index(None, "aid_id"),  # removing an assistance row sets it NULL
)

# Risk elimination (风险消除) proposed by staff with the §4 checklist, approved or sent back by a user of the
# level above (proposer ≠ approver), shown in a public notice (公示), then in effect; it can be reverted.
elimination_request = Table(
    "elimination_request",
    metadata,
    Column("request_id", Integer, primary_key=True),
    Column("hh_id", Integer, ForeignKey("household.hh_id", ondelete="CASCADE"), nullable=False),
    Column("method", String(8), nullable=False),  # 帮扶消除 / 自然消除
    Column("checklist", Text, nullable=False),  # JSON: the §4 checks as they stood when proposed
    Column("proposed_by", String(64), nullable=False),
    Column("proposed_at", DateTime, nullable=False),
    Column("status", String(8), nullable=False),  # 待审批 / 已退回 / 公示中 / 已生效 / 已回退
    Column("decided_by", String(64)),
    Column("decided_at", DateTime),
    Column("decision_note", String(255)),
    Column("notice_until", Date),  # last day of the public notice
    Index(None, "hh_id", "status"),
)

# Photos and documents of a home check, a visit or a proposal, kept in the database (size and type limited).
attachment = Table(
    "attachment",
    metadata,
    Column("attachment_id", Integer, primary_key=True),
    Column("hh_id", Integer, ForeignKey("household.hh_id", ondelete="CASCADE")),
    Column("lead_id", Integer, ForeignKey("lead.lead_id", ondelete="CASCADE")),
    Column("file_name", String(255), nullable=False),
    Column("mime", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_by", String(64), nullable=False),
    Column("uploaded_at", DateTime, nullable=False),
    Index(None, "hh_id"),
    Index(None, "lead_id"),
)

# ---------------------------------------------------------------- derived (rescore writes)
# One row per scored household-month: the score, its components, the values the
# reasons quote, and the dimensions the roll-ups group by (the household's
# attributes when it was last scored; status is the month's own), so roll-ups
# can be rebuilt or adjusted from this table alone.
risk_score = Table(
    "risk_score",
    metadata,
    Column("hh_id", Integer, ForeignKey("household.hh_id", ondelete="CASCADE"), primary_key=True),
    Column("month", Integer, primary_key=True),
    Column("rules_version", String(16), nullable=False),
    Column("score", SmallInteger, nullable=False),
    Column("tier", String(1), nullable=False),  # 高 / 中 / 低
    Column("pts_a", SmallInteger, nullable=False),
    Column("pts_b", SmallInteger, nullable=False),
    Column("pts_c", SmallInteger, nullable=False),
    Column("pts_d", SmallInteger, nullable=False),
    Column("pts_e", SmallInteger, nullable=False),
    Column("pts_f", SmallInteger, nullable=False),
    Column("pts_g", SmallInteger, nullable=False),
    Column("pts_h", SmallInteger, nullable=False),
    Column("triggers", Integer, nullable=False),  # bit set of safetynet.domain.risk.Trigger
    Column("reason_bits", Integer, nullable=False),  # bit set of safetynet.domain.risk.Reason
    # values quoted by the reasons
    Column("r", Float),
    Column("income_drop", Float),
    Column("months_out", SmallInteger, nullable=False),
    Column("medical_share", Float),
    Column("school_share", Float),
    Column("dependency", Float),
    Column("event_share", Float),
    # dimensions and measures for roll-ups
    Column("adcode", ADCODE, nullable=False),
    Column("site_id", Integer),
    Column("industry_code", String(4)),
    Column("category", String(3), nullable=False),  # W1 W2 W3 (workers) / R01 R02 R03 (rural)
    Column("status", String(8), nullable=False),
    Column("members", SmallInteger, nullable=False),
    Column("labour", SmallInteger, nullable=False),
    Column("employed", SmallInteger, nullable=False),
    Column("income", Float, nullable=False),  # household income this month
    Column("flags", Integer, nullable=False),  # bit set of safetynet.domain.risk.Flag
    Index(None, "month", "tier"),
    **CLUSTERED,
)

FILTER_INDEX_COLUMNS = ("month", "tier", "category", "prov_adcode", "pref_adcode", "flags", "triggers",
                        "pts_a", "pts_b", "pts_c", "pts_d", "pts_e", "pts_f", "pts_g", "pts_h",
                        "high_since", "status", "score", "r")

# The watchlist's table: each household's latest score with every filter column
# denormalised, so a filtered, sorted page is one indexed read.
household_current = Table(
    "household_current",
    metadata,
    Column("hh_id", Integer, ForeignKey("household.hh_id", ondelete="CASCADE"), primary_key=True),
    Column("month", Integer, nullable=False),
    Column("prov_adcode", ADCODE, nullable=False),
    Column("pref_adcode", ADCODE, nullable=False),
    Column("adcode", ADCODE, nullable=False),
    Column("site_id", Integer),
    Column("industry_code", String(4)),
    Column("population", String(8), nullable=False),
    Column("category", String(3), nullable=False),
    Column("status", String(8), nullable=False),
    Column("score", SmallInteger, nullable=False),
    Column("tier", String(1), nullable=False),
    Column("prev_tier", String(1)),
    Column("high_since", Integer),  # first month of the current run of 高
    Column("pts_a", SmallInteger, nullable=False),
    Column("pts_b", SmallInteger, nullable=False),
    Column("pts_c", SmallInteger, nullable=False),
    Column("pts_d", SmallInteger, nullable=False),
    Column("pts_e", SmallInteger, nullable=False),
    Column("pts_f", SmallInteger, nullable=False),
    Column("pts_g", SmallInteger, nullable=False),
    Column("pts_h", SmallInteger, nullable=False),
    Column("triggers", Integer, nullable=False),
    Column("r", Float),
    Column("reasons", Text, nullable=False),  # Chinese, most important first, "；"-separated
    Column("reasons_en", Text, nullable=False),
    Column("flags", Integer, nullable=False),
    Column("identified_month", Integer, nullable=False),
    Column("rules_version", String(16), nullable=False),
    Index(None, "tier", "score"),
    Index(None, "prov_adcode", "tier", "score"),
    Index(None, "pref_adcode", "tier", "score"),
    Index(None, "adcode", "tier", "score"),
    Index(None, "site_id", "score"),
    Index(None, "industry_code", "tier", "score"),
    Index(None, "score"),
    # Every filter and sort column of the watchlist but the wide reasons: counts, tier counts and the
    # choice of a page's keys read this narrow index instead of the table (25 ms → 2 ms at 100,000 files).
    Index("ix_household_current_filter", *FILTER_INDEX_COLUMNS),
    Index(None, "month", "r"),  # the list sorted by income ÷ line: walk r in order instead of sorting 280,000 rows
)


def _rollup_measures() -> list[Column]:
    """Additive measures shared by every roll-up table (sums of risk_score rows).

    Only sums and counts, so roll-ups can be built from chunks and adjusted by
    deltas after an import; medians come from the r histogram (r_b00..r_b11).
    """
    names = [
        "households", "persons", "tier_high", "tier_mid", "tier_low", "newly_high",
        "new_ident", "assisted", "with_helper", "eliminated", "relapsed", "open_files",
        "labour", "employed", "labour_no_job", "r_n", "migrant_hh", "not_returned",
        "out_of_work", "wage_arrears", "platform_uninsured", "counselling", "school_risk",
    ]
    cols = [Column(n, Integer, nullable=False, server_default="0") for n in names]
    cols += [Column(f"r_b{i:02d}", Integer, nullable=False, server_default="0") for i in range(12)]
    cols += [
        Column("income_sum", Float, nullable=False, server_default="0"),
        Column("r_sum", Float, nullable=False, server_default="0"),
    ]
    return cols


ROLLUP_KEYS = {
    "rollup_region_month": ("adcode", "population", "category", "month"),
    "rollup_industry_month": ("adcode", "industry_code", "population", "month"),
    "rollup_site_month": ("site_id", "category", "month"),
}

rollup_region_month = Table(
    "rollup_region_month",
    metadata,
    Column("adcode", ADCODE, primary_key=True),  # every level: nation, province, prefecture, county
    Column("population", String(8), primary_key=True),
    Column("category", String(3), primary_key=True),
    Column("month", Integer, primary_key=True),
    Column("level", SmallInteger, nullable=False),
    Column("parent_adcode", ADCODE),
    *_rollup_measures(),
    Index(None, "parent_adcode", "month"),
    Index(None, "month", "level"),
)

rollup_industry_month = Table(
    "rollup_industry_month",
    metadata,
    Column("adcode", ADCODE, primary_key=True),
    Column("industry_code", String(4), primary_key=True),
    Column("population", String(8), primary_key=True),
    Column("month", Integer, primary_key=True),
    Column("level", SmallInteger, nullable=False),
    *_rollup_measures(),
    Index(None, "month", "level"),
)

rollup_site_month = Table(
    "rollup_site_month",
    metadata,
    Column("site_id", Integer, primary_key=True),
    Column("category", String(3), primary_key=True),
    Column("month", Integer, primary_key=True),
    Column("adcode", ADCODE, nullable=False),
    *_rollup_measures(),
    Index(None, "month"),
    Index(None, "adcode", "month"),
)

# Migrant workers of the households in household_current (each household's latest month), counted per
# region × category × month × origin → work unit × work place: the 农民工 screen reads these few rows instead
# of joining hundreds of thousands of persons to their households. Leaf rows (is_leaf) are the households'
# own counties, with origin and work as prefectures (COALESCE(pref, adcode) of the person's region); every
# wider region's rows are sums of its leaves', with origin and work as provinces in the nation's rows
# (the flow map's unit there). '' = origin or work place not recorded. Built by pipeline.migrant_rollup.
rollup_migrant = Table(
    "rollup_migrant",
    metadata,
    Column("adcode", ADCODE, primary_key=True),
    Column("category", String(3), primary_key=True),
    Column("month", Integer, primary_key=True),
    Column("origin", ADCODE, primary_key=True),
    Column("work", ADCODE, primary_key=True),
    Column("work_place", String(8), primary_key=True),
    Column("is_leaf", Boolean, nullable=False),
    Column("workers", Integer, nullable=False),
    Column("cross_province", Integer, nullable=False),  # origin and work place in different provinces
    Column("in_high", Integer, nullable=False),  # in households rated 高
    Column("uninsured", Integer, nullable=False),  # neither pension nor work-injury insurance
)

ROLLUP_TABLES = (rollup_region_month, rollup_industry_month, rollup_site_month)
