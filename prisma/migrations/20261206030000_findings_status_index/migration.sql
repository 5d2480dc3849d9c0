-- Findings of a run by status (the morning question "what is new?"): the page's total is an index-only count.
CREATE INDEX "findings_run_id_status_idx" ON "findings"("run_id", "status");
