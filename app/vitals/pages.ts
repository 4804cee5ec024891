/**
 * Web vitals are kept per page as a route pattern, so every campaign's page counts as one page
 * (`/app/campaigns/:id`) and a client cannot grow the set of pages without bound. Pure.
 */
export const VITAL_METRICS = ["LCP", "CLS", "INP", "FCP", "TTFB", "FID"] as const;

/** Built for Shopify's thresholds at p75 (LCP and INP in ms, CLS unitless). */
export const VITAL_THRESHOLDS: Record<"LCP" | "CLS" | "INP", number> = { LCP: 2500, CLS: 0.1, INP: 200 };

export function pagePattern(pathname: string): string {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/app") return "/app";
  if (/^\/app\/campaigns\/[^/]+$/.test(path)) return "/app/campaigns/:id";
  if (path === "/app/settings") return "/app/settings";
  return "/app/other";
}
