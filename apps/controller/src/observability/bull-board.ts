import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { RequestHandler } from 'express';

export const BULL_BOARD_PATH = '/admin/queues';

/** Bull Board's express router for the pipeline's queues; main mounts it behind the admin check. */
export function bullBoardRouter(queues: readonly Queue[]): RequestHandler {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q)),
    // @bull-board/express 9.10.1 nests its own @bull-board/api 9.10.1 next to our 9.10.2: same interface,
    // distinct declarations (align the two versions in package.json to drop this cast).
    serverAdapter: serverAdapter,
  });
  return serverAdapter.getRouter() as RequestHandler;
}
