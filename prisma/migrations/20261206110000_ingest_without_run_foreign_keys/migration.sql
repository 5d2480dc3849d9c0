-- The bulk-ingest tables lose their foreign key to runs. Each row already can only be stored in its run's
-- partition (LIST on run_id, made with the run, with a CHECK on run_id; no default partition), and retention
-- drops the partitions before it deletes the run, so the key added nothing but a per-row check at ingest:
-- measured as the largest single cost of COPYing a sweep's coverage into the embedded store.
ALTER TABLE "observations" DROP CONSTRAINT "observations_run_id_fkey";
ALTER TABLE "run_coverage" DROP CONSTRAINT "run_coverage_run_id_fkey";
