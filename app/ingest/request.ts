/** The raw pieces of an ingest request (body, headers, URL, query) and how parsers read headers and query parameters. */
export type QueryInput = URLSearchParams | Record<string, string | string[] | undefined | null>;
export type HeadersInput = Record<string, string | string[] | undefined | null>;

/** The raw pieces of an HTTP request, as every parser takes them. Header names lower-cased. */
export interface IngestRequest {
  rawBody: string | Uint8Array;
  headers?: HeadersInput;
  /** The full request URL as the sender addressed it (scheme, host, path, query). */
  url?: string;
  /** Query parameters; derived from `url` when absent. */
  query?: QueryInput;
  /** When the request arrived (Twilio callbacks carry no event time). Default: now. */
  receivedAt?: Date;
}

export function header(headers: HeadersInput | undefined, name: string): string | null {
  if (!headers) return null;
  const v = headers[name.toLowerCase()];
  if (Array.isArray(v)) return v[0] ?? null;
  return v ?? null;
}

export function queryOf(req: Pick<IngestRequest, "query" | "url">): QueryInput | undefined {
  if (req.query) return req.query;
  if (req.url) {
    try {
      return new URL(req.url, "http://localhost").searchParams;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** First non-empty value of a query parameter. */
export function queryGet(q: QueryInput | undefined, name: string): string | null {
  if (!q) return null;
  if (q instanceof URLSearchParams) {
    for (const v of q.getAll(name)) if (v.trim() !== "") return v.trim();
    return null;
  }
  const v = q[name];
  const list = Array.isArray(v) ? v : v == null ? [] : [v];
  for (const s of list) if (typeof s === "string" && s.trim() !== "") return s.trim();
  return null;
}
