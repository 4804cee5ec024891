import { checkHealth } from "../health/health.server";

/** GET /healthz (no auth): 200 when PostgreSQL and Redis answer, else 503 naming what is down. */
export async function loader() {
  const health = await checkHealth();
  const down = [health.db === "down" && "db", health.redis === "down" && "redis"].filter(Boolean) as string[];
  const body = down.length
    ? {
        ...health,
        queue: health.queue ?? { waiting: null, failed: null },
        down,
        error: { code: "service_unavailable", message: `Down: ${down.join(", ")}.` },
      }
    : { db: health.db, redis: health.redis, queue: health.queue };
  return new Response(JSON.stringify(body), {
    status: down.length ? 503 : 200,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
  });
}
