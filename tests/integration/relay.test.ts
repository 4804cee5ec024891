import { randomBytes } from "node:crypto";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackEnv } from "../support/api";
import { createMigratedDatabase, dropDatabase } from "../support/db";

/**
 * The relay gives owed work whose job failed for good another chance, instead of leaving it stuck forever.
 * It runs here in this process against a database of its own (the relay sweeps every shop of its database), with a
 * queue prefix of its own.
 */
describe("relay", () => {
  let database: { name: string; url: string };
  let client: pg.Pool;
  beforeAll(async () => {
    database = await createMigratedDatabase("cr_relay");
    process.env.DATABASE_URL = database.url;
    client = new pg.Pool({ connectionString: database.url, max: 2 });
  });
  const prefix = `${stackEnv().QUEUE_PREFIX}_relay_${randomBytes(3).toString("hex")}`;
  const connection = new Redis(stackEnv().REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue("campaign-revenue", { connection, prefix });

  afterAll(async () => {
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    connection.disconnect();
    await client.end();
    const { disconnectDb } = await import("../../app/db.server");
    await disconnectDb();
    await dropDatabase(database.name);
  });

  it("retries a re-attribution whose job failed permanently, while settings still say running", async () => {
    const { relayOnce } = await import("../../app/queue/relay.server");
    const { jobCatalog } = await import("../../app/queue/catalog");
    const { ensureShop } = await import("../../app/data/shops.server");
    const shop = { shopId: (await ensureShop("relay-test.myshopify.com")).id.toString() };
    await client.query(`UPDATE settings SET attribution_state = 'running', version = 7 WHERE shop_id = $1`, [
      shop.shopId,
    ]);
    const payload = { shopId: shop.shopId, version: 7 };
    const jobId = jobCatalog["reattribute-shop"].jobId(payload);
    await queue.add("reattribute-shop", payload, { jobId, attempts: 1 });

    const failing = new Worker("campaign-revenue", async () => Promise.reject(new Error("boom")), {
      connection: new Redis(stackEnv().REDIS_URL, { maxRetriesPerRequest: null }),
      prefix,
      autorun: true,
    });
    await new Promise<void>((resolve) => failing.on("failed", () => resolve()));
    await failing.close();
    expect(await (await queue.getJob(jobId))!.getState()).toBe("failed");

    // Not yet: it failed just now.
    await relayOnce(queue);
    expect(await (await queue.getJob(jobId))!.getState()).toBe("failed");
    // Once the waiting time has passed, it is queued again under the same id.
    await relayOnce(queue, { retryFailedAfterMs: 0 });
    expect(await (await queue.getJob(jobId))!.getState()).toMatch(/waiting|prioritized|delayed/);
  });

  it("queues a delivery again whose job completed while its row still says unprocessed (a commit lost in a crash)", async () => {
    const { relayOnce } = await import("../../app/queue/relay.server");
    const { jobCatalog } = await import("../../app/queue/catalog");
    const row = await client.query<{ id: string }>(
      `INSERT INTO webhook_deliveries (source, delivery_id, topic, shop_domain, payload, queued_at)
       VALUES ('shopify', 'lost-commit', 'orders/create', 'lost.myshopify.com', '{}', now() - interval '1 hour')
       RETURNING id::text`,
    );
    const payload = { deliveryId: row.rows[0]!.id };
    const jobId = jobCatalog["process-delivery"].jobId(payload);
    await queue.add("process-delivery", payload, { jobId });
    // A worker that "applies" it, but whose commit PostgreSQL then lost: BullMQ says completed, the row disagrees.
    const done = new Worker("campaign-revenue", async () => "applied", {
      connection: new Redis(stackEnv().REDIS_URL, { maxRetriesPerRequest: null }),
      prefix,
      autorun: true,
    });
    await new Promise<void>((resolve) => done.on("completed", () => resolve()));
    await done.close();
    expect(await (await queue.getJob(jobId))!.getState()).toBe("completed");

    // Not yet: it completed just now.
    await relayOnce(queue);
    expect(await (await queue.getJob(jobId))!.getState()).toBe("completed");
    await relayOnce(queue, { retryFailedAfterMs: 0 });
    expect(await (await queue.getJob(jobId))!.getState()).toMatch(/waiting|prioritized/);
    await client.query(`DELETE FROM webhook_deliveries WHERE id = $1`, [payload.deliveryId]);
  });

  it("deletes processed inbox rows past the retention period and keeps recent ones", async () => {
    const { relayOnce, INBOX_RETENTION_DAYS } = await import("../../app/queue/relay.server");
    const old = `now() - interval '${INBOX_RETENTION_DAYS + 1} days'`;
    await client.query(
      `INSERT INTO webhook_deliveries (source, delivery_id, topic, shop_domain, payload, received_at, queued_at, processed_at)
       VALUES ('shopify', 'old', 'orders/create', 'x.myshopify.com', '', ${old}, ${old}, ${old}),
              ('shopify', 'recent', 'orders/create', 'x.myshopify.com', '', now(), now(), now())`,
    );
    await relayOnce(queue);
    const left = await client.query(`SELECT delivery_id FROM webhook_deliveries ORDER BY delivery_id`);
    expect(left.rows.map((r) => r.delivery_id)).toEqual(["recent"]);
  });
});
