import type { Connection } from "mongoose";
import { connectTestDatabase } from "../../../test/database";
import { crashedTransfer } from "./gateway-harness";
import { SettlementRefused, settleByOperator, type OperatorSettlement } from "./operator-settle";
import type { TransferState } from "./transfer-states";
import { createTransferStore, type TransferRecord, type TransferStore } from "./transfer-store";

// A person's settlement of a transfer in MANUAL_REVIEW, against the real database: only from
// MANUAL_REVIEW, only with who, why (and for SUCCESS the bank's reference), one compare-and-set.

let connection: Connection;
let ledger: TransferStore;
beforeAll(async () => {
  connection = await connectTestDatabase("operator_settle");
  ledger = await createTransferStore(connection);
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

let seq = 0;
/** A transfer to 014 in `state`: recorded SENDING as the request path does, then moved there in one step, as the resolver would. */
async function transferIn(state: TransferState): Promise<TransferRecord> {
  seq += 1;
  const sentAt = new Date(Date.now() - 3_600_000);
  const record = crashedTransfer({
    referenceNumber: `OPS${Date.now()}${seq}`, clientReferenceNo: `OPS-${Date.now()}-${seq}`, amount: String(20_000 + seq), sentAt,
    leaseOwner: "gateway-a", leaseUntil: sentAt, nextCheckAt: sentAt,
  });
  expect(await ledger.insert(record)).toBe("inserted");
  const sending = (await ledger.findByReferenceNumber(record.referenceNumber))!;
  if (state === "SENDING") return sending;
  return (await ledger.transition(sending, state, state === "MANUAL_REVIEW" ? { reviewReason: "unresolved 3600 s after it was sent" } : {}, new Date()))!;
}

const decide = (t: TransferRecord, over: Partial<OperatorSettlement> = {}) =>
  settleByOperator(ledger, { referenceNumber: t.referenceNumber, state: "FAILED", operator: "siti.ops", reason: "BCA statement 27 Nov: no debit", ...over }, new Date());

describe("an operator settles a transfer in MANUAL_REVIEW", () => {
  it("as FAILED: final, who and why kept on it, the review reason too, the app shown the reason", async () => {
    const t = await transferIn("MANUAL_REVIEW");
    const settled = await decide(t);
    expect(settled).toMatchObject({
      state: "FAILED", reviewReason: "unresolved 3600 s after it was sent",
      settledBy: { operator: "siti.ops", reason: "BCA statement 27 Nov: no debit" },
      bankResponseMessage: "settled by an operator after checking with the bank: BCA statement 27 Nov: no debit",
    });
    expect(settled.nextCheckAt).toBeUndefined();
    expect(await ledger.findByReferenceNumber(t.referenceNumber)).toEqual(settled);
  });

  it("as SUCCESS, with the bank's reference of the booking", async () => {
    const t = await transferIn("MANUAL_REVIEW");
    const settled = await decide(t, { state: "SUCCESS", bankReference: "PPU-778812", reason: "BCA desk: booked 10:02" });
    expect(settled).toMatchObject({ state: "SUCCESS", bankReference: "PPU-778812", settledBy: { operator: "siti.ops" } });
  });

  it("once: of two settling at the same time, one wins and the other is refused", async () => {
    const t = await transferIn("MANUAL_REVIEW");
    const outcomes = await Promise.allSettled([decide(t), decide(t, { state: "SUCCESS", bankReference: "PPU-1" })]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const lost = outcomes.find((o) => o.status === "rejected");
    expect(lost?.reason).toEqual(new SettlementRefused(`transfer ${t.referenceNumber} changed meanwhile (the bank's answer may have settled it); look at it again`));
  });
});

describe("what an operator cannot do (refused, nothing changed)", () => {
  it.each<[TransferState, string]>([
    ["SENDING", "the resolver is still settling it with the bank"],
    ["PENDING", "the resolver is still settling it with the bank"],
    ["FAILED", "final states never change"],
    ["SUCCESS", "final states never change"],
  ])("settle a transfer in %s: %s", async (state, why) => {
    const t = await transferIn(state);
    await expect(decide(t, { state: state === "FAILED" ? "SUCCESS" : "FAILED", ...(state === "FAILED" ? { bankReference: "X" } : {}) }))
      .rejects.toThrow(`transfer ${t.referenceNumber} is ${state}, not MANUAL_REVIEW: ${why}`);
    expect(await ledger.findByReferenceNumber(t.referenceNumber)).toEqual(t);
  });

  it.each<[string, Partial<OperatorSettlement>, string]>([
    ["another state", { state: "PENDING" }, 'the state must be SUCCESS or FAILED, not "PENDING"'],
    ["no operator", { operator: "  " }, "say who decides"],
    ["no reason", { reason: "" }, "give the reason: what the bank said, and where"],
    ["SUCCESS without the bank's reference", { state: "SUCCESS" }, "SUCCESS needs the bank's reference of the booking"],
    ["FAILED with a bank reference", { bankReference: "PPU-1" }, "a FAILED transfer has no bank reference"],
  ])("settle with %s", async (_label, over, message) => {
    const t = await transferIn("MANUAL_REVIEW");
    await expect(decide(t, over)).rejects.toThrow(new SettlementRefused(message));
    expect(await ledger.findByReferenceNumber(t.referenceNumber)).toEqual(t);
  });

  it("settle a transfer that does not exist", async () => {
    await expect(settleByOperator(ledger, { referenceNumber: "GRBNOSUCHTRANSFER", state: "FAILED", operator: "a", reason: "b" }, new Date()))
      .rejects.toThrow("no transfer GRBNOSUCHTRANSFER");
  });
});
