import { isFinal } from "./transfer-states";
import type { TransferRecord, TransferStore } from "./transfer-store";

/** Transfers this instance is sending right now, by referenceNumber (the ledger's key). */
export type InFlight = Map<string, Promise<TransferRecord>>;

/**
 * A duplicate of a transfer still being sent waits, bounded by `waitMs`, for the first request's
 * outcome, then returns the stored transfer as it stands (PENDING if still in flight). In this
 * instance it waits on the first request itself; for another instance's transfer it re-reads the
 * ledger with a growing pause (50, 100, 200 ... ms) so duplicates do not hammer the database.
 */
export async function waitForSettled(
  existing: TransferRecord,
  deps: { inFlight: InFlight; ledger: TransferStore; waitMs: number },
): Promise<TransferRecord> {
  if (existing.state !== "SENDING") return existing;
  const deadline = Date.now() + deps.waitMs;
  const local = deps.inFlight.get(existing.referenceNumber);
  if (local !== undefined) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => { timer = setTimeout(resolve, deps.waitMs, undefined); });
    const settled = await Promise.race([local.catch(() => undefined), timeout]);
    clearTimeout(timer);
    return settled ?? (await deps.ledger.findByReference(existing.clientId, existing.referenceNumber)) ?? existing;
  }
  let current = existing;
  for (let pause = 50; Date.now() + pause <= deadline; pause *= 2) {
    await new Promise((resolve) => setTimeout(resolve, pause));
    current = (await deps.ledger.findByReference(existing.clientId, existing.referenceNumber)) ?? current;
    if (isFinal(current.state) || current.state === "PENDING") return current;
  }
  return current;
}
