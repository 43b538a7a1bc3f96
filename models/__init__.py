"""CreditDesk core: everything that does not need a screen.

Glossary — one English name per domain term, used everywhere in the code:

===================  ==========================================
practitioner         医保医师 / 医保药师（定点医药机构相关人员）
insured person       参保人 (``insured``)
institution          定点医药机构
subject              信用主体 (any of the three above)
credit file          信用档案（一医一档）
record               信用信息记录（守信信息 good / 不良信息 bad）
registration         登记备案 (a practitioner at one institution)
service commitment   服务承诺
violation / finding  违法违规行为 / 查处结论
responsibility       责任认定：主要 / 重要 / 一般
points               医保支付资格记分
evaluation           信用评价（千分制）
grade                信用等级：优秀 / 良好 / 中等 / 较差 / 差
measure              信用管理措施（暂停、终止、约谈、名单……）
objection            异议
repair               信用修复
notice               告知书 / 通知书
package              数据交换包
county               县（区）医疗保障局，行政区划代码 GB/T 2260
===================  ==========================================

This package never imports PySide6 (checked by the import-linter contract in
pyproject.toml and by tests/unit/test_layers.py).
"""
