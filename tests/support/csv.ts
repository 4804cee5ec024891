import { parse } from "csv-parse/sync";

/** RFC 4180 CSV (quotes, doubled quotes, a BOM, CRLF) into rows of cells, read by csv-parse. */
export function parseCsv(text: string): string[][] {
  return parse(text, { bom: true, relax_column_count: true }) as string[][];
}
