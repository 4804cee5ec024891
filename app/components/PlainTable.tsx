import type { ReactNode } from "react";

/** A header cell of the small plain tables inside cards (the holdout groups, the settings preview). */
export function Th({ children, end }: { children: ReactNode; end?: boolean }) {
  return (
    <th
      scope="col"
      style={{
        textAlign: end ? "right" : "left",
        fontWeight: 500,
        fontSize: 12,
        color: "#616161",
        padding: "4px 0",
        borderBottom: "1px solid #e3e3e3",
      }}
    >
      {children}
    </th>
  );
}

/** A body cell of those tables: numbers in tabular figures. */
export function Td({ children, end }: { children: ReactNode; end?: boolean }) {
  return (
    <td style={{ textAlign: end ? "right" : "left", padding: "6px 0", fontVariantNumeric: "tabular-nums" }}>
      {children}
    </td>
  );
}
