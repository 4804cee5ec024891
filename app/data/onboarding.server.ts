import { prisma } from "../db.server";

/** What a shop has connected so far, for the admin's empty states: any order, any message event (from any source). */
export async function shopDataPresence(shopId: bigint): Promise<{ hasOrders: boolean; hasEvents: boolean }> {
  const [order, event] = await Promise.all([
    prisma.order.findFirst({ where: { shopId }, select: { id: true } }),
    prisma.messageEvent.findFirst({ where: { shopId }, select: { id: true } }),
  ]);
  return { hasOrders: order !== null, hasEvents: event !== null };
}
