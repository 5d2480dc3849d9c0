-- CreateTable
CREATE TABLE "run_chunks" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "run_id" UUID NOT NULL,
    "chunk_index" INTEGER NOT NULL,
    "targets" JSONB NOT NULL,
    "hosts" INTEGER NOT NULL,
    "probes" INTEGER NOT NULL,
    "observations" INTEGER NOT NULL DEFAULT 0,
    "failures" JSONB,
    "done_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "run_chunks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run_chunk_batches" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "chunk_index" INTEGER NOT NULL,
    "attempt" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "batches" INTEGER,

    CONSTRAINT "run_chunk_batches_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "run_chunks_run_id_chunk_index_key" ON "run_chunks"("run_id", "chunk_index");

-- CreateIndex
CREATE UNIQUE INDEX "run_chunk_batches_run_id_chunk_index_attempt_seq_key" ON "run_chunk_batches"("run_id", "chunk_index", "attempt", "seq");

-- AddForeignKey
ALTER TABLE "run_chunks" ADD CONSTRAINT "run_chunks_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_chunk_batches" ADD CONSTRAINT "run_chunk_batches_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
