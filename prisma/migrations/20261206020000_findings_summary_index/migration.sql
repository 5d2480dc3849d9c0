-- The violation summary (counts and distinct hosts by severity, rule and status) as one ordered index-only
-- scan of a run's findings: no sort, no heap visit once the partition is vacuumed after its evaluation.
CREATE INDEX "findings_run_id_severity_rule_status_address_idx" ON "findings"("run_id", "severity", "rule", "status", "address");
