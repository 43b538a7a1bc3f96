"""The main window's sections in one place: the navigation (desktop/mainwindow.py) lists them in this order and
shows what each is for; each page's header says the same words from here. Light on purpose: the window
imports it before any page."""
from __future__ import annotations

# (section, the views module that fills it, what it is for). The order is the Ctrl+1…Ctrl+9, Ctrl+0 order.
SECTION_PAGES: tuple[tuple[str, str, str], ...] = (
    ("工作台", "page_workbench", "本栏目汇总待办事项：待审核的信用信息、临近期限的异议、申诉和修复申请、待签发的告知书。"),
    ("信用档案", "page_files", "本栏目用于查询定点医药机构、医保医师（药师）和参保人的信用档案（一医一档），"
                           "查看记分、评价等级、处理措施、名单和告知记录。"),
    ("违规录入", "page_findings", "本栏目用于登记经查实的违法违规行为及其处理决定，认定责任并按政策规定记分。"),
    ("异议与修复", "page_cases", "本栏目用于受理信用主体提出的异议和信用修复申请，记录核查、审批和答复，列出申诉，并提示办理期限。"),
    ("等级分布", "page_distribution", "本栏目用于按年度查看各类信用主体的评价等级分布及其变化。"),
    ("抽查", "page_inspection", "本栏目用于按信用等级确定抽查比例，随机抽取检查对象和检查人员（双随机），并记录检查结果。"),
    ("告知书", "page_notices", "本栏目用于生成、打印和登记信用结果告知书、记分告知书、修复通知书等文书。"),
    ("数据交换", "page_exchange", "本栏目用于与市医疗保障局交换数据包：导出本县信用信息，导入回执、政策配置和外县共享记录。"),
    ("系统设置", "page_settings",
     "本栏目用于管理用户和角色、本局信息、政策配置、节假日安排、文书字号与签章证书、数据备份和本局办理时限。"),
    ("年度评价", "page_ratings", "本栏目用于确定年度信用评价结果：起草、复核、签发并发布，发布后在有效期内用于红名单和抽查比例。"),
)
PURPOSES: dict[str, str] = {name: purpose for name, _module, purpose in SECTION_PAGES}
