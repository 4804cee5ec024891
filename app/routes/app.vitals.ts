import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authenticateShop } from "../admin/context.server";
import { recordWebVitals } from "../data/web-vitals.server";
import { json } from "../http/api.server";
import { errorResponse, invalid } from "../http/errors";
import { VITAL_METRICS, pagePattern } from "../vitals/pages";

const bodySchema = z.object({
  /** The page's path when the report was made (location.pathname). */
  page: z
    .string()
    .regex(/^\/app(\/[^\s?#]*)?$/, "a path of the app's pages, e.g. /app/settings")
    .max(300),
  metrics: z
    .array(
      z.object({
        id: z.string().min(1).max(200),
        name: z.enum(VITAL_METRICS),
        value: z.number().finite().min(0).max(3_600_000),
      }),
    )
    .min(1)
    .max(50),
});

/**
 * POST /app/vitals: the web vitals App Bridge reports for a page view (`shopify.webVitals.onReport`, see
 * app/components/WebVitalsReporter.tsx), authenticated by the page's session token like every /app request.
 * Stored per shop and page pattern; `npm run cli -- vitals --shop <domain>` prints each page's p75 over 28 days.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await authenticateShop(request);
  if (request.method !== "POST") return json({ error: { code: "method_not_allowed", message: "POST only." } }, 405);
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return errorResponse(invalid([{ path: "body", message: "not valid JSON" }]));
  }
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) {
    return errorResponse(
      invalid(parsed.error.issues.map((i) => ({ path: i.path.join(".") || "body", message: i.message }))),
    );
  }
  const stored = await recordWebVitals(shop.id, pagePattern(parsed.data.page), parsed.data.metrics);
  return json({ stored }, 202);
};
