-- Findings keep their rule references (CVE ids, URLs), so stored reports equal printed ones.
ALTER TABLE "findings" ADD COLUMN "refs" TEXT[] DEFAULT ARRAY[]::TEXT[];
