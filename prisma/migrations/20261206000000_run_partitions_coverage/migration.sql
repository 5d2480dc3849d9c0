-- Scale storage: a run's observations, coverage and findings live in partitions of their own (LIST on
-- run_id), so retention drops whole tables instead of deleting and vacuuming rows; closed ports are
-- stored as per-host coverage (compact port ranges) instead of a row each.

-- observations: informative rows only (LISTENING, FILTERED, LISTENING or FILTERED, anything with protocol
-- data or evidence); the natural key is the primary key (no surrogate id and its index).
ALTER TABLE "observations" RENAME TO "observations_v1";
ALTER TABLE "observations_v1" DROP CONSTRAINT "observations_run_id_fkey";
ALTER TABLE "observations_v1" RENAME CONSTRAINT "observations_pkey" TO "observations_v1_pkey";
ALTER INDEX "observations_run_id_address_proto_port_check_key" RENAME TO "observations_v1_key";

CREATE TABLE "observations" (
    "run_id" UUID NOT NULL,
    "host" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "proto" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "check" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "service" TEXT,
    "data" JSONB,
    "evidence" TEXT,
    "observed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "observations_pkey" PRIMARY KEY ("run_id", "address", "proto", "port", "check")
) PARTITION BY LIST ("run_id");

ALTER TABLE "observations" ADD CONSTRAINT "observations_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- run_coverage: one row per run, host and protocol probed; `closed` holds the ports that answered
-- NOT LISTENING plainly (RST / ICMP port unreachable, nothing else observed) as ranges.
CREATE TABLE "run_coverage" (
    "run_id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "proto" TEXT NOT NULL,
    -- The host's name when it differs from the address (null otherwise: no bytes spent on a copy).
    "host" TEXT,
    "closed" int4multirange NOT NULL,
    "observed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "run_coverage_pkey" PRIMARY KEY ("run_id", "address", "proto")
) PARTITION BY LIST ("run_id");

ALTER TABLE "run_coverage" ADD CONSTRAINT "run_coverage_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- findings: partitioned the same way; the primary key must hold the partition key.
ALTER TABLE "findings" RENAME TO "findings_v1";
ALTER TABLE "findings_v1" DROP CONSTRAINT "findings_run_id_fkey";
ALTER TABLE "findings_v1" DROP CONSTRAINT "findings_waiver_id_fkey";
ALTER TABLE "findings_v1" RENAME CONSTRAINT "findings_pkey" TO "findings_v1_pkey";
DROP INDEX "findings_run_id_severity_rule_idx";
DROP INDEX "findings_run_id_rule_idx";
DROP INDEX "findings_run_id_host_idx";
DROP INDEX "findings_key_idx";
DROP INDEX "findings_tags_idx";
DROP INDEX "findings_run_id_key_key";

CREATE TABLE "findings" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "run_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "severity" "severity" NOT NULL,
    "host" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "proto" TEXT,
    "port" INTEGER,
    "title" TEXT NOT NULL,
    "evidence" JSONB NOT NULL,
    "status" "finding_status" NOT NULL,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "owner" TEXT,
    "waiver_id" UUID,
    "first_seen" TIMESTAMPTZ(3) NOT NULL,
    "last_seen" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "refs" TEXT[] DEFAULT ARRAY[]::TEXT[],

    CONSTRAINT "findings_pkey" PRIMARY KEY ("run_id", "id")
) PARTITION BY LIST ("run_id");

-- The report's order (severity, rule, address, port, key) straight from an index: the first page of a
-- 100k-finding run reads 50 index entries.
CREATE INDEX "findings_run_id_severity_rule_address_port_key_idx" ON "findings"("run_id", "severity", "rule", "address", "port", "key");
CREATE INDEX "findings_run_id_rule_idx" ON "findings"("run_id", "rule");
CREATE INDEX "findings_run_id_host_idx" ON "findings"("run_id", "host");
CREATE INDEX "findings_run_id_address_idx" ON "findings"("run_id", "address");
CREATE INDEX "findings_key_idx" ON "findings"("key");
CREATE INDEX "findings_tags_idx" ON "findings" USING GIN ("tags");
CREATE UNIQUE INDEX "findings_run_id_key_key" ON "findings"("run_id", "key");

ALTER TABLE "findings" ADD CONSTRAINT "findings_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "findings" ADD CONSTRAINT "findings_waiver_id_fkey" FOREIGN KEY ("waiver_id") REFERENCES "waivers"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- "latest succeeded run" and "previous run of this scan" are one index probe each.
CREATE INDEX "runs_status_number_idx" ON "runs"("status", "number");
CREATE INDEX "runs_scan_definition_id_status_number_idx" ON "runs"("scan_definition_id", "status", "number");

-- A run's partitions: created as plain tables and then attached (ATTACH takes a lock that does not block
-- readers and writers of other partitions, unlike CREATE TABLE ... PARTITION OF). Idempotent.
CREATE OR REPLACE FUNCTION "fleetqry_add_run_partitions"(run UUID) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  parent TEXT;
  part TEXT;
BEGIN
  FOREACH parent IN ARRAY ARRAY['observations', 'run_coverage', 'findings'] LOOP
    part := parent || '_' || replace(run::text, '-', '');
    IF to_regclass(format('%I', part)) IS NULL THEN
      EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, parent);
      EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (run_id = %L::uuid)', part, part || '_run', run);
      EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES IN (%L)', parent, part, run);
    END IF;
  END LOOP;
END
$fn$;

DO $do$
DECLARE r RECORD;
BEGIN
  FOR r IN SELECT "id" FROM "runs" LOOP
    PERFORM "fleetqry_add_run_partitions"(r."id");
  END LOOP;
END
$do$;

-- Existing data: informative observations move as they are; plain closed ones become coverage ranges.
INSERT INTO "observations" ("run_id", "host", "address", "proto", "port", "check", "state", "reason", "service", "data", "evidence", "observed_at")
SELECT "run_id", "host", "address", "proto", "port", "check", "state", "reason", "service", "data", "evidence", "observed_at"
FROM "observations_v1" o
WHERE NOT ("state" = 'NOT LISTENING' AND "check" = 'port' AND "evidence" IS NULL
           AND "reason" IN ('conn-refused', 'icmp-port-unreachable')
           AND ("data" IS NULL OR "data" - 'rttMs' = '{}'::jsonb));

INSERT INTO "run_coverage" ("run_id", "address", "proto", "host", "closed", "observed_at")
SELECT "run_id", "address", "proto", NULLIF(min("host"), "address"),
       coalesce(range_agg(int4range("port", "port", '[]')) FILTER (
         WHERE "state" = 'NOT LISTENING' AND "check" = 'port' AND "evidence" IS NULL
           AND "reason" IN ('conn-refused', 'icmp-port-unreachable')
           AND ("data" IS NULL OR "data" - 'rttMs' = '{}'::jsonb)), '{}'::int4multirange),
       max("observed_at")
FROM "observations_v1"
GROUP BY "run_id", "address", "proto";

INSERT INTO "findings" SELECT "id", "run_id", "key", "rule", "severity", "host", "address", "proto", "port", "title",
       "evidence", "status", "tags", "owner", "waiver_id", "first_seen", "last_seen", "created_at", "refs"
FROM "findings_v1";

DROP TABLE "observations_v1";
DROP TABLE "findings_v1";
