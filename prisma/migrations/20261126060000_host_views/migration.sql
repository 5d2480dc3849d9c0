-- CreateTable
CREATE TABLE "host_views" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "hostname" TEXT NOT NULL,
    "addresses" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "taken_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reported_by" TEXT NOT NULL,
    "listener_count" INTEGER NOT NULL,
    "sockets" JSONB NOT NULL,
    "problems" JSONB NOT NULL,
    "agent_version" TEXT,

    CONSTRAINT "host_views_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "host_views_hostname_key" ON "host_views"("hostname");

-- CreateIndex
CREATE INDEX "host_views_addresses_idx" ON "host_views" USING GIN ("addresses");
