import { isValidSnsCertUrl } from "./ses";

/**
 * SNS signing certificates, fetched only from Amazon's SNS hosts (the URL is validated before any request) and
 * cached in memory for a day; a failed fetch is not cached.
 */
const cache = new Map<string, { pem: string; at: number }>();
const TTL_MS = 24 * 60 * 60 * 1000;

export async function fetchSnsCert(url: string): Promise<string> {
  if (!isValidSnsCertUrl(url)) throw new Error("not an SNS certificate URL");
  const hit = cache.get(url);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.pem;
  const response = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: "error" });
  if (!response.ok) throw new Error(`certificate fetch failed with ${response.status}`);
  const pem = await response.text();
  if (!pem.includes("BEGIN CERTIFICATE")) throw new Error("not a PEM certificate");
  cache.set(url, { pem, at: Date.now() });
  return pem;
}

/** Confirms an SNS subscription by GETting its (already validated) SubscribeURL. */
export async function confirmSnsSubscription(subscribeUrl: string): Promise<void> {
  const response = await fetch(subscribeUrl, { signal: AbortSignal.timeout(5000), redirect: "error" });
  if (!response.ok) throw new Error(`subscription confirmation failed with ${response.status}`);
}
