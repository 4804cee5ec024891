import { ApiError } from "./errors";

export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * Reads a request body as bytes, refusing more than `limit` bytes (413) without buffering past the limit.
 * `contentTypes`: the accepted media types (415 otherwise); an empty list accepts any.
 */
export async function readBody(request: Request, contentTypes: string[], limit = MAX_BODY_BYTES): Promise<Buffer> {
  if (contentTypes.length > 0) {
    const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (!contentTypes.includes(type)) {
      throw new ApiError(
        "unsupported_media_type",
        `Content-Type must be ${contentTypes.join(" or ")}${type ? `, not ${type}` : ""}.`,
      );
    }
  }
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!request.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/** The body as UTF-8 text; bytes that are not valid UTF-8 are a 400, not silently replaced. */
export async function readText(request: Request, contentTypes: string[], limit = MAX_BODY_BYTES): Promise<string> {
  const bytes = await readBody(request, contentTypes, limit);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError("invalid_request", "The body is not valid UTF-8.", [
      { path: "body", message: "not valid UTF-8" },
    ]);
  }
}

function tooLarge(limit: number) {
  return new ApiError("payload_too_large", `The body is larger than ${Math.round(limit / 1024 / 1024)} MB.`);
}
