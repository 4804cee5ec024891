/**
 * A plain reference implementation of the holdout rules (ATTRIBUTION.md, "Holdouts"), written straight from the text
 * with none of the engine's shortcuts: outcome lists instead of sums of squares, two-pass variance, and a
 * whole-data version that walks every recipient and every order. The randomised tests compare the engine against it.
 */
import Decimal from "decimal.js";
import { normalizeEmail, normalizePhone } from "../../app/domain/identity";

const D = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP });
const minor = (currency: string) => (currency === "JPY" ? 0 : 2);

function money(d: Decimal, currency: string): string {
  const r = d.toDecimalPlaces(minor(currency), Decimal.ROUND_HALF_UP);
  return (r.isZero() ? new D(0) : r).toFixed(minor(currency));
}
function rate(d: Decimal): number {
  const r = d.toDecimalPlaces(4, Decimal.ROUND_HALF_UP);
  return r.isZero() ? 0 : r.toNumber();
}

/** The figures from each group's list of outcomes (converted = outcome list entries marked by `converted`). */
export function holdoutReference(
  treated: string[],
  heldOut: string[],
  overlap: number,
  currency: string,
  converted?: { treated: number; heldOut: number },
) {
  const base = { treated: treated.length, held_out: heldOut.length, overlap };
  if (treated.length < 2 || heldOut.length < 2) {
    return {
      ...base,
      conversion_treated: null,
      conversion_held_out: null,
      lift: null,
      revenue_per_recipient_treated: null,
      revenue_per_recipient_held_out: null,
      incremental_revenue: null,
      incremental_revenue_low: null,
      incremental_revenue_high: null,
      significant: null,
      reason: "insufficient_holdout",
    };
  }
  const mean = (xs: string[]) => xs.reduce((a, x) => a.plus(x), new D(0)).dividedBy(xs.length);
  const variance = (xs: string[]) => {
    const m = mean(xs);
    return xs.reduce((a, x) => a.plus(new D(x).minus(m).pow(2)), new D(0)).dividedBy(xs.length - 1);
  };
  const cT = new D(converted?.treated ?? treated.filter((x) => new D(x).gt(0)).length).dividedBy(treated.length);
  const cH = new D(converted?.heldOut ?? heldOut.filter((x) => new D(x).gt(0)).length).dividedBy(heldOut.length);
  const diff = mean(treated).minus(mean(heldOut));
  const half = new D("1.96").times(
    variance(treated).dividedBy(treated.length).plus(variance(heldOut).dividedBy(heldOut.length)).sqrt(),
  );
  const low = diff.minus(half).times(treated.length);
  const high = diff.plus(half).times(treated.length);
  return {
    ...base,
    conversion_treated: rate(cT),
    conversion_held_out: rate(cH),
    lift: cH.isZero() ? null : rate(cT.dividedBy(cH).minus(1)),
    revenue_per_recipient_treated: money(mean(treated), currency),
    revenue_per_recipient_held_out: money(mean(heldOut), currency),
    incremental_revenue: money(diff.times(treated.length), currency),
    incremental_revenue_low: money(low, currency),
    incremental_revenue_high: money(high, currency),
    significant: low.gt(0) || high.lt(0),
    reason: null,
  };
}

export interface RefEvent {
  type: string;
  campaign_id: string;
  occurred_at: string;
  recipient: { email?: string; phone?: string; customer_id?: string };
}
export interface RefOrder {
  id: string;
  processed_at: string;
  currency: string;
  total_price: string;
  email?: string;
  phone?: string;
  customer?: { id?: string };
  test?: boolean;
  cancelled_at?: string;
  refunded?: string;
}

/** One recipient per identity: its email, else its phone, else its customer id (normalised). */
function identity(r: RefEvent["recipient"]): string {
  if (r.email) return `e:${normalizeEmail(r.email)}`;
  if (r.phone) return `p:${normalizePhone(r.phone)}`;
  return `c:${r.customer_id}`;
}

/** The holdout of `campaign` from every event and order, walked one by one (null when no held-out recipient). */
export function holdoutFromData(
  events: RefEvent[],
  orders: RefOrder[],
  campaign: string,
  windowHours: number,
  currency: string,
) {
  const groups = { sent: new Map<string, { t0: number; r: RefEvent["recipient"] }>(), held_out: new Map() };
  for (const e of events) {
    if (e.campaign_id !== campaign || (e.type !== "sent" && e.type !== "held_out")) continue;
    const g = groups[e.type] as Map<string, { t0: number; r: RefEvent["recipient"] }>;
    const id = identity(e.recipient);
    const t = Date.parse(e.occurred_at);
    const prev = g.get(id);
    if (!prev || t < prev.t0) g.set(id, { t0: t, r: e.recipient });
  }
  if (groups.held_out.size === 0) return null;
  let overlap = 0;
  for (const id of [...groups.sent.keys()]) {
    if (groups.held_out.has(id)) {
      groups.sent.delete(id);
      groups.held_out.delete(id);
      overlap++;
    }
  }
  const outcome = (x: { t0: number; r: RefEvent["recipient"] }) => {
    let y = new D(0);
    let conv = false;
    for (const o of orders) {
      if (o.test || o.cancelled_at || o.currency !== currency) continue;
      const t = Date.parse(o.processed_at);
      if (t < x.t0 || t > x.t0 + windowHours * 3_600_000) continue;
      const matches =
        (x.r.email && o.email && normalizeEmail(o.email) === normalizeEmail(x.r.email)) ||
        (x.r.phone && o.phone && normalizePhone(o.phone) === normalizePhone(x.r.phone)) ||
        (x.r.customer_id && o.customer?.id && o.customer.id === x.r.customer_id);
      if (!matches) continue;
      conv = true;
      const refunded = D.min(new D(o.refunded ?? 0), new D(o.total_price));
      y = y.plus(new D(o.total_price).minus(refunded));
    }
    return { y: y.toString(), conv };
  };
  const t = [...groups.sent.values()].map(outcome);
  const h = [...groups.held_out.values()].map(outcome);
  return holdoutReference(
    t.map((x) => x.y),
    h.map((x) => x.y),
    overlap,
    currency,
    { treated: t.filter((x) => x.conv).length, heldOut: h.filter((x) => x.conv).length },
  );
}
