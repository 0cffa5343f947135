import { loadSeeds } from '../../src/seed';
import type { AnonymousAccess } from '../../src/auth/policy';
import { startServer, type RunningServer } from '../../src/server';
import { createTestFactlog, type TestFactlog } from '../support/factlog';

export interface SeededServer {
  app: TestFactlog;
  server: RunningServer;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** http://127.0.0.1:PORT/graphql */
  url: string;
  stop(): Promise<void>;
}

/** The real HTTP server (startServer) on a free loopback port, over a test database with the seeds loaded. */
export async function startSeededServer(options: { seeds?: boolean; anonymous?: AnonymousAccess } = {}): Promise<SeededServer> {
  const app = await createTestFactlog();
  try {
    if (options.seeds !== false) await loadSeeds(app.commands);
    const server = await startServer({ ...app, port: 0, host: '127.0.0.1', anonymous: options.anonymous });
    const origin = `http://127.0.0.1:${server.port}`;
    return {
      app,
      server,
      origin,
      url: `${origin}/graphql`,
      stop: async () => {
        await server.stop();
        await app.dispose();
      },
    };
  } catch (err) {
    await app.dispose().catch(() => undefined);
    throw err;
  }
}
