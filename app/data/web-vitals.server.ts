/** Web vitals of the app's pages (app/vitals/web-vitals.server.ts): stored per shop and page, read as p75. */
import { pool } from "../db.server";

export interface VitalInput {
  id: string;
  name: string;
  value: number;
}

/** Stores a report's metrics; a metric id seen before gets its latest value (CLS and INP grow during a visit). */
export async function recordWebVitals(shopId: bigint, page: string, metrics: VitalInput[]): Promise<number> {
  if (metrics.length === 0) return 0;
  const r = await pool().query(
    `INSERT INTO web_vitals AS w (shop_id, page, metric, metric_id, value)
     SELECT $1, $2, m.name, m.id, m.value
       FROM unnest($3::text[], $4::text[], $5::float8[]) AS m(id, name, value)
     ON CONFLICT (shop_id, metric_id) DO UPDATE SET value = EXCLUDED.value, page = EXCLUDED.page`,
    [shopId.toString(), page, metrics.map((m) => m.id), metrics.map((m) => m.name), metrics.map((m) => m.value)],
  );
  return r.rowCount ?? 0;
}

export interface PageVitals {
  page: string;
  metric: string;
  samples: number;
  p75: number;
}

/** Each page's 75th percentile per metric over the last `days` days (as Built for Shopify measures them). */
export async function webVitalsP75(shopId: bigint, days: number, now = new Date()): Promise<PageVitals[]> {
  const r = await pool().query<{ page: string; metric: string; samples: string; p75: number }>(
    `SELECT page, metric, count(*) AS samples, percentile_cont(0.75) WITHIN GROUP (ORDER BY value) AS p75
       FROM web_vitals
      WHERE shop_id = $1 AND created_at >= $2::timestamptz - make_interval(days => $3)
      GROUP BY page, metric
      ORDER BY page, metric`,
    [shopId.toString(), now.toISOString(), days],
  );
  return r.rows.map((row) => ({ page: row.page, metric: row.metric, samples: Number(row.samples), p75: row.p75 }));
}
