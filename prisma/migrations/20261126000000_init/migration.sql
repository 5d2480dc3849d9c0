-- CreateEnum
CREATE TYPE "scope_action" AS ENUM ('allow', 'deny');

-- CreateEnum
CREATE TYPE "credential_kind" AS ENUM ('snmp-community', 'ldap-bind');

-- CreateEnum
CREATE TYPE "run_status" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "run_trigger" AS ENUM ('manual', 'schedule', 'cli');

-- CreateEnum
CREATE TYPE "severity" AS ENUM ('critical', 'high', 'medium', 'low', 'info');

-- CreateEnum
CREATE TYPE "finding_status" AS ENUM ('new', 'persisting', 'resolved', 'waived');

-- CreateEnum
CREATE TYPE "audit_outcome" AS ENUM ('allowed', 'denied');

-- CreateEnum
CREATE TYPE "api_role" AS ENUM ('viewer', 'operator', 'admin');

-- CreateTable
CREATE TABLE "inventories" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "owner" TEXT,
    "description" TEXT,
    "document" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "inventories_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "hosts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "inventory_id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "hostname" TEXT,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "owner" TEXT,
    "exclude_ports" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "hosts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scope_rules" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "action" "scope_action" NOT NULL,
    "cidr" TEXT NOT NULL,
    "comment" TEXT,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scope_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "service_groups" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "description" TEXT,
    "tcp" TEXT,
    "udp" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "service_groups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "credentials" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "kind" "credential_kind" NOT NULL,
    "name" TEXT NOT NULL,
    "principal" TEXT,
    "ciphertext" BYTEA NOT NULL,
    "iv" BYTEA NOT NULL,
    "auth_tag" BYTEA NOT NULL,
    "key_id" TEXT NOT NULL,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "credentials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scan_definitions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "inventory_id" UUID,
    "selector" JSONB,
    "tcp_ports" TEXT,
    "udp_ports" TEXT,
    "service_groups" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "checks" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "credential_ids" UUID[] DEFAULT ARRAY[]::UUID[],
    "policy" TEXT NOT NULL DEFAULT 'baseline',
    "policy_version" INTEGER,
    "schedule" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "scan_definitions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "policies" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "yaml" TEXT NOT NULL,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "policies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "runs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "number" SERIAL NOT NULL,
    "scan_definition_id" UUID,
    "status" "run_status" NOT NULL DEFAULT 'queued',
    "trigger" "run_trigger" NOT NULL,
    "idempotency_key" TEXT,
    "policy_name" TEXT,
    "policy_version" INTEGER,
    "plan" JSONB,
    "total_probes" BIGINT NOT NULL DEFAULT 0,
    "done_probes" BIGINT NOT NULL DEFAULT 0,
    "hosts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "heartbeat_at" TIMESTAMPTZ(3),
    "error" TEXT,

    CONSTRAINT "runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "observations" (
    "id" BIGSERIAL NOT NULL,
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

    CONSTRAINT "observations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
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

    CONSTRAINT "findings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "waivers" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "rule" TEXT,
    "host_pattern" TEXT,
    "finding_key" TEXT,
    "owner" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "waivers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "outcome" "audit_outcome" NOT NULL,
    "ip" TEXT,
    "details" JSONB,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "role" "api_role" NOT NULL,
    "token_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "inventories_name_key" ON "inventories"("name");

-- CreateIndex
CREATE INDEX "hosts_tags_idx" ON "hosts" USING GIN ("tags");

-- CreateIndex
CREATE UNIQUE INDEX "hosts_inventory_id_address_key" ON "hosts"("inventory_id", "address");

-- CreateIndex
CREATE UNIQUE INDEX "scope_rules_action_cidr_key" ON "scope_rules"("action", "cidr");

-- CreateIndex
CREATE UNIQUE INDEX "service_groups_name_key" ON "service_groups"("name");

-- CreateIndex
CREATE UNIQUE INDEX "credentials_name_key" ON "credentials"("name");

-- CreateIndex
CREATE UNIQUE INDEX "scan_definitions_name_key" ON "scan_definitions"("name");

-- CreateIndex
CREATE UNIQUE INDEX "policies_name_version_key" ON "policies"("name", "version");

-- CreateIndex
CREATE UNIQUE INDEX "runs_number_key" ON "runs"("number");

-- CreateIndex
CREATE UNIQUE INDEX "runs_idempotency_key_key" ON "runs"("idempotency_key");

-- CreateIndex
CREATE INDEX "runs_scan_definition_id_created_at_idx" ON "runs"("scan_definition_id", "created_at");

-- CreateIndex
CREATE INDEX "runs_status_idx" ON "runs"("status");

-- CreateIndex
CREATE UNIQUE INDEX "observations_run_id_address_proto_port_check_key" ON "observations"("run_id", "address", "proto", "port", "check");

-- CreateIndex
CREATE INDEX "findings_run_id_severity_rule_idx" ON "findings"("run_id", "severity", "rule");

-- CreateIndex
CREATE INDEX "findings_run_id_rule_idx" ON "findings"("run_id", "rule");

-- CreateIndex
CREATE INDEX "findings_run_id_host_idx" ON "findings"("run_id", "host");

-- CreateIndex
CREATE INDEX "findings_key_idx" ON "findings"("key");

-- CreateIndex
CREATE INDEX "findings_tags_idx" ON "findings" USING GIN ("tags");

-- CreateIndex
CREATE UNIQUE INDEX "findings_run_id_key_key" ON "findings"("run_id", "key");

-- CreateIndex
CREATE INDEX "waivers_expires_at_idx" ON "waivers"("expires_at");

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");

-- CreateIndex
CREATE INDEX "audit_log_actor_at_idx" ON "audit_log"("actor", "at");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "api_tokens_prefix_idx" ON "api_tokens"("prefix");

-- AddForeignKey
ALTER TABLE "hosts" ADD CONSTRAINT "hosts_inventory_id_fkey" FOREIGN KEY ("inventory_id") REFERENCES "inventories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scan_definitions" ADD CONSTRAINT "scan_definitions_inventory_id_fkey" FOREIGN KEY ("inventory_id") REFERENCES "inventories"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_scan_definition_id_fkey" FOREIGN KEY ("scan_definition_id") REFERENCES "scan_definitions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "observations" ADD CONSTRAINT "observations_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "findings" ADD CONSTRAINT "findings_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "findings" ADD CONSTRAINT "findings_waiver_id_fkey" FOREIGN KEY ("waiver_id") REFERENCES "waivers"("id") ON DELETE SET NULL ON UPDATE CASCADE;
