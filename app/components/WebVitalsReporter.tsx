import { useEffect, useRef } from "react";
import { useLocation } from "@remix-run/react";

interface WebVitalsReport {
  metrics: { id: string; name: string; value: number }[];
}
type ShopifyGlobal = { webVitals?: { onReport?: (cb: ((r: WebVitalsReport) => void) | null) => Promise<void> } };

/**
 * Sends App Bridge's web vitals reports (`shopify.webVitals.onReport`: LCP, CLS, INP… of each page view) to
 * POST /app/vitals with the page they belong to. App Bridge adds the session token to the fetch. Renders nothing.
 */
export function WebVitalsReporter() {
  const location = useLocation();
  const page = useRef(location.pathname);
  useEffect(() => {
    page.current = location.pathname;
  }, [location.pathname]);

  useEffect(() => {
    const bridge = (window as unknown as { shopify?: ShopifyGlobal }).shopify;
    const onReport = bridge?.webVitals?.onReport;
    if (!onReport) return;
    const send = (report: WebVitalsReport) => {
      const metrics = (report.metrics ?? []).filter((m) =>
        ["LCP", "CLS", "INP", "FCP", "TTFB", "FID"].includes(m.name),
      );
      if (metrics.length === 0) return;
      void fetch("/app/vitals", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ page: page.current, metrics }),
        keepalive: true,
      }).catch(() => {});
    };
    void onReport(send);
    return () => void onReport(null);
  }, []);
  return null;
}
