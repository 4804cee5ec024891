/**
 * Streaming JSONL reader for bulk operation results (they can be gigabytes): yields one line at a time from a
 * byte stream, never holding more than one line and one chunk in memory. A final line without its newline is
 * flagged `complete: false` (Shopify ends every line with "\n", so such a line means the download was cut off).
 */
export interface JsonlLine {
  /** 0-based line number. */
  index: number;
  text: string;
  /** False for a last line that the stream ended without a newline. */
  complete: boolean;
}

export class JsonlLineTooLong extends Error {
  constructor(index: number, max: number) {
    super(`line ${index + 1} of the result is longer than ${max} bytes`);
    this.name = "JsonlLineTooLong";
  }
}

export async function* readJsonlLines(
  source: AsyncIterable<Uint8Array>,
  options: { maxLineBytes?: number } = {},
): AsyncGenerator<JsonlLine> {
  const max = options.maxLineBytes ?? 16 * 1024 * 1024;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let index = 0;
  const take = (last: Uint8Array): string => {
    const parts = pending.length ? [...pending, last] : [last];
    pending = [];
    pendingBytes = 0;
    if (parts.length === 1) return decoder.decode(parts[0]);
    return decoder.decode(Buffer.concat(parts));
  };
  for await (const chunk of source) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      let text = take(chunk.subarray(start, nl));
      if (text.endsWith("\r")) text = text.slice(0, -1);
      start = nl + 1;
      if (text.trim() !== "") yield { index: index++, text, complete: true };
      else index++;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      pendingBytes += rest.length;
      if (pendingBytes > max) throw new JsonlLineTooLong(index, max);
      pending.push(Uint8Array.from(rest));
    }
  }
  if (pendingBytes > 0) {
    const text = take(new Uint8Array(0));
    if (text.trim() !== "") yield { index: index++, text, complete: false };
  }
}
