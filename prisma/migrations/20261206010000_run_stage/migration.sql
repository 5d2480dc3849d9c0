-- A run's stage after probing (its probes are counted in done_probes as they are ingested): evaluation runs
-- in host batches and reports how many hosts it has evaluated, so long runs show progress past the probes.
ALTER TABLE "runs" ADD COLUMN "stage" TEXT;
ALTER TABLE "runs" ADD COLUMN "evaluated_hosts" INTEGER NOT NULL DEFAULT 0;
