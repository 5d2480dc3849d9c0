-- A run's evidence of network quality: TCP retransmissions its probes needed, ports that answered only after
-- one, and ports that stayed undecided (no answer to any attempt). Distributed runs sum their chunks' reports,
-- each kept on the chunk as its completing attempt's final marker reported it.
ALTER TABLE "runs" ADD COLUMN "retransmissions" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "runs" ADD COLUMN "recovered" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "runs" ADD COLUMN "undecided" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "run_chunks" ADD COLUMN "retransmissions" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "run_chunks" ADD COLUMN "recovered" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "run_chunks" ADD COLUMN "undecided" INTEGER NOT NULL DEFAULT 0;
